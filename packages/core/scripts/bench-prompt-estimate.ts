/**
 * Micro-benchmark of the budget reservation's prompt estimate for the common plain-text request
 * (no tools, no images): what prepare() pays on every chat call.
 * Usage: pnpm --filter @llmg/core exec tsx scripts/bench-prompt-estimate.ts
 */

import type { ChatMessage } from "../src/providers/schema";
import { preloadTokenizer } from "../src/providers/tokenizer";
import { estimatePromptTokens, estimateRequestPromptTokens } from "../src/providers/tokens";

const messages: ChatMessage[] = [
  { role: "system", content: "You are a helpful assistant. Answer briefly and precisely." },
  { role: "user", content: "What is the capital of France, and what is it famous for? Two sentences." },
];
const request = { messages, tools: undefined, response_format: undefined, tool_choice: undefined };
const target = { provider: "openai", model: "gpt-4o-mini" };

function nsPerCall(fn: () => number, iterations: number): number {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += fn();
  if (sink < 0) console.log(sink);
  return Number(process.hrtime.bigint() - start) / iterations;
}

preloadTokenizer();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const plain: number[] = [];
const whole: number[] = [];
for (let round = 0; round < 7; round++) {
  plain.push(nsPerCall(() => estimatePromptTokens(messages), 100_000));
  whole.push(nsPerCall(() => estimateRequestPromptTokens(request, target), 100_000));
}
console.log(`estimatePromptTokens(messages):            ${median(plain).toFixed(0)} ns/call (median of 7)`);
console.log(`estimateRequestPromptTokens(req, target):  ${median(whole).toFixed(0)} ns/call (median of 7)`);
console.log(`ratio: ${(median(whole) / median(plain)).toFixed(3)}`);
