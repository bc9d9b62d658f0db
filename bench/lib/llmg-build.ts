import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

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
