import { z } from "zod";
import type { Usage } from "../../usage";

export const anthropicUsageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  // "Breakdown of output tokens by category ... output_tokens remains the inclusive, authoritative
  // total used for billing" (anthropic-sdk-typescript Usage / MessageDeltaUsage.output_tokens_details).
  output_tokens_details: z.object({ thinking_tokens: z.number().nullish() }).nullish(),
});

export type AnthropicUsage = z.output<typeof anthropicUsageSchema>;

/**
 * Anthropic's input_tokens EXCLUDES cache reads and writes; in our (OpenAI) convention the prompt
 * is all three, with the cache counts as subsets so each token is priced exactly once. Thinking
 * tokens are reported inside output_tokens, as OpenAI's reasoning tokens are inside completion.
 */
export function normalizeAnthropicUsage(raw: AnthropicUsage): Usage {
  const cachedRead = raw.cache_read_input_tokens ?? 0;
  const cacheWrite = raw.cache_creation_input_tokens ?? 0;
  return {
    promptTokens: (raw.input_tokens ?? 0) + cachedRead + cacheWrite,
    completionTokens: raw.output_tokens ?? 0,
    cachedReadTokens: cachedRead,
    cacheWriteTokens: cacheWrite,
    // thinking_tokens is a part of output_tokens (our reasoningTokens ⊂ completionTokens);
    // "Always ≤ output_tokens", capped in case a report breaks that.
    reasoningTokens: Math.min(raw.output_tokens_details?.thinking_tokens ?? 0, raw.output_tokens ?? 0),
    estimated: false,
  };
}

/** Later reports win, but a missing/null field never erases an earlier count. */
export function mergeAnthropicUsage(
  base: AnthropicUsage | undefined,
  update: AnthropicUsage,
): AnthropicUsage {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(update)) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged as AnthropicUsage;
}
