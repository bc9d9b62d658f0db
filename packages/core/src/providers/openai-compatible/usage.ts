import { z } from "zod";
import type { Usage } from "../../usage";

export const openAIUsageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  /**
   * `cache_write_tokens`: "The unadjusted number of prompt tokens written to cache" (openai-node
   * src/resources/completions.ts CompletionUsage.PromptTokensDetails), reported by models that
   * price cache writes (gpt-5.6 family).
   */
  prompt_tokens_details: z
    .object({ cached_tokens: z.number().nullish(), cache_write_tokens: z.number().nullish() })
    .nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
  /** DeepSeek: prompt tokens served from its context cache (hit + miss = prompt_tokens). */
  prompt_cache_hit_tokens: z.number().nullish(),
});

export type OpenAIUsage = z.output<typeof openAIUsageSchema>;

/**
 * OpenAI's usage is already in our convention (cached reads and writes inside prompt_tokens,
 * reasoning inside completion_tokens). DeepSeek reports its cache hits as prompt_cache_hit_tokens; Mistral reports
 * no details at all.
 */
export function normalizeOpenAIUsage(raw: OpenAIUsage): Usage {
  const cachedReadTokens = raw.prompt_cache_hit_tokens ?? raw.prompt_tokens_details?.cached_tokens ?? 0;
  const written = raw.prompt_tokens_details?.cache_write_tokens ?? 0;
  return {
    promptTokens: raw.prompt_tokens,
    completionTokens: raw.completion_tokens,
    cachedReadTokens,
    // Both are subsets of prompt_tokens; a count past what is left of it cannot be billed twice.
    cacheWriteTokens: Math.max(0, Math.min(written, raw.prompt_tokens - cachedReadTokens)),
    reasoningTokens: raw.completion_tokens_details?.reasoning_tokens ?? 0,
    estimated: false,
  };
}
