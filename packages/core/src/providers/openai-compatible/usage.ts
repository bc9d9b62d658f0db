import { z } from "zod";
import type { Usage } from "../../usage";

export const openAIUsageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
  /** DeepSeek: prompt tokens served from its context cache (hit + miss = prompt_tokens). */
  prompt_cache_hit_tokens: z.number().nullish(),
});

export type OpenAIUsage = z.output<typeof openAIUsageSchema>;

/**
 * OpenAI's usage is already in our convention (cached tokens inside prompt_tokens, reasoning inside
 * completion_tokens). DeepSeek reports its cache hits as prompt_cache_hit_tokens; Mistral reports
 * no details at all.
 */
export function normalizeOpenAIUsage(raw: OpenAIUsage): Usage {
  return {
    promptTokens: raw.prompt_tokens,
    completionTokens: raw.completion_tokens,
    cachedReadTokens: raw.prompt_cache_hit_tokens ?? raw.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: 0,
    reasoningTokens: raw.completion_tokens_details?.reasoning_tokens ?? 0,
    estimated: false,
  };
}
