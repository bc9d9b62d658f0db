// What a first visit to each dashboard page downloads, in gzipped bytes: the entry chunk, the
// page's own lazy chunk, and every chunk those import statically (from Vite's build manifest).
// `node scripts/web-bundle-size.mjs` prints the table; the browser tests check the budget.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = join(root, "apps", "web", "dist");

/** @returns {{ page: string, files: string[], gzipBytes: number }[]} */
export function pageBundles(dist = DIST) {
  const manifestFile = join(dist, ".vite", "manifest.json");
  if (!existsSync(manifestFile)) throw new Error("no build manifest: run `pnpm build:web` first");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  const gz = new Map();
  const gzipOf = (file) => {
    if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length);
    return gz.get(file);
  };
  /** A chunk and its static imports, each once. */
  const closure = (key, seen = new Set()) => {
    if (seen.has(key)) return seen;
    seen.add(key);
    for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
    return seen;
  };
  const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry);
  if (!entryKey) throw new Error("the manifest names no entry chunk");
  const entry = closure(entryKey);
  const pages = Object.keys(manifest).filter((key) => /-page\.tsx$/.test(key));
  const row = (page, keys) => {
    const files = [...keys].map((key) => manifest[key].file).filter((file) => file.endsWith(".js"));
    return { page, files, gzipBytes: files.reduce((sum, file) => sum + gzipOf(file), 0) };
  };
  return [
    row("(sign-in: entry only)", entry),
    ...pages.map((page) => row(page.replace(/^src\//, ""), closure(page, new Set(entry)))),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { page, files, gzipBytes } of pageBundles()) {
    console.log(`${(gzipBytes / 1024).toFixed(1).padStart(7)} KB gz  ${files.length} files  ${page}`);
  }
}
