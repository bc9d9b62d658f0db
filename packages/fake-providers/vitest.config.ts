import { defineConfig } from "vitest/config";

// turbo runs every package's suite at once: on 2 cores a CPU-heavy setup (the tokenizer's rank
// table, real HTTP fakes) can take longer than vitest's 5 s/10 s defaults without anything wrong.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 60_000 } });
