import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { freePort, startProcess } from "./processes";

export const repoRoot = resolve(import.meta.dirname, "../..");

/**
 * Bundles the server as `pnpm build` does and returns its entry: the benchmark measures llmg as
 * it runs in production (plain node on the bundle), not under a TypeScript loader.
 */
export function buildServer(): string {
  execFileSync(
    process.execPath,
    ["scripts/bundle.mjs", "apps/server/dist", "apps/server/src/main.ts", "apps/server/src/cli.ts"],
    {
      cwd: repoRoot,
      stdio: "inherit",
    },
  );
  return join(repoRoot, "apps/server/dist/main.js");
}

/** Starts llmg from its bundle in production mode on a free port; `env` adds to or overrides. */
export async function startLlmg(env: Record<string, string>, nodeFlags: string[] = []) {
  const port = await freePort();
  const child = await startProcess("node", [...nodeFlags, buildServer()], {
    cwd: repoRoot,
    env: { NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", ...env },
    ready: /listening on (http:\/\/\S+)/,
  });
  return { ...child, url: child.match[1]! };
}
