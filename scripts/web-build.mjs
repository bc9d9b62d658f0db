// Builds the web dashboard (apps/web) when its built files are missing or older than its
// sources, so `pnpm start` on a fresh clone serves it, and a restart after a pull serves the
// new one. Up to date: exits at once. `--force` builds anyway. A failed build is reported and
// the gateway starts regardless (it then says at / that the dashboard is not built).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "apps", "web");
const builtIndex = join(web, "dist", "index.html");
const sources = ["src", "index.html", "vite.config.ts", "package.json", "tsconfig.json"].map((source) =>
  join(web, source),
);
// The dashboard bundles the typed client from its source: a change there changes the build too.
sources.push(join(root, "packages", "client", "src"));

/** Newest modification time among a path and everything under it. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function isStale() {
  if (!existsSync(builtIndex)) return true;
  const built = statSync(builtIndex).mtimeMs;
  return sources.some((source) => newest(source) > built);
}

const force = process.argv.includes("--force");
const strict = process.argv.includes("--strict");

// Two starts at once (tests, a start beside a dev server) must not build into the same folder
// together: the second waits for the first, then finds the build fresh.
const lock = join(web, ".build-lock");
const LOCK_STALE_MS = 180_000;

function takeLock() {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      // A lock older than any build is left over from a killed one.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

if (force || isStale()) {
  takeLock();
  try {
    if (force || isStale()) {
      console.log("llmg: building the web dashboard (apps/web)…");
      const result = spawnSync("pnpm", ["--filter", "@llmg/web", "build"], {
        cwd: root,
        stdio: "inherit",
        shell: process.platform === "win32",
        // Always the production bundle: vitest sets NODE_ENV=test, and Vite builds React's
        // development bundle (twice the size, slower) under any NODE_ENV but production.
        env: { ...process.env, NODE_ENV: "production" },
      });
      if (result.status !== 0) {
        console.error("llmg: the web dashboard did not build; the gateway starts without it");
        if (strict) process.exitCode = 1;
      }
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
