import { z } from "zod";
import type { Usage } from "../../usage";

export const anthropicUsageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});

export type AnthropicUsage = z.output<typeof anthropicUsageSchema>;

/**
 * Anthropic's input_tokens EXCLUDES cache reads and writes; in our (OpenAI) convention the prompt
 * is all three, with the cache counts as subsets so each token is priced exactly once.
 */
export function normalizeAnthropicUsage(raw: AnthropicUsage): Usage {
  const cachedRead = raw.cache_read_input_tokens ?? 0;
  const cacheWrite = raw.cache_creation_input_tokens ?? 0;
  return {
    promptTokens: (raw.input_tokens ?? 0) + cachedRead + cacheWrite,
    completionTokens: raw.output_tokens ?? 0,
    cachedReadTokens: cachedRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
    estimated: false,
  };
}

/** Later reports win, but a missing/null field never erases an earlier count. */
export function mergeAnthropicUsage(
  base: AnthropicUsage | undefined,
  update: AnthropicUsage,
): AnthropicUsage {
  const merged: AnthropicUsage = { ...base };
  for (const key of Object.keys(update) as (keyof AnthropicUsage)[]) {
    const value = update[key];
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}
