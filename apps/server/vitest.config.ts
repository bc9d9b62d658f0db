import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["../../packages/db/src/testing/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The chaos suite (kills, restarts, hostile upstreams) runs on its own: `pnpm test:chaos`.
    exclude: [...configDefaults.exclude, "chaos/**"],
  },
});
