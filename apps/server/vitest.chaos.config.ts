import { defineConfig } from "vitest/config";

/**
 * `pnpm test:chaos`: processes killed under load, dependencies stopped and restarted, hostile
 * upstreams. One file at a time: they measure memory and stop services that others would share.
 */
export default defineConfig({
  test: {
    globalSetup: ["../../packages/db/src/testing/global-setup.ts"],
    include: ["chaos/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
