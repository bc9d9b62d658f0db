import { defineConfig } from "vitest/config";

// `pnpm --filter @llmg/server screenshot:readme`: only the README's screenshot maker.
export default defineConfig({
  test: {
    globalSetup: ["../../packages/db/src/testing/global-setup.ts"],
    include: ["test/readme-screenshot.ts"],
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
