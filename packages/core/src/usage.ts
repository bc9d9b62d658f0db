/**
 * Token usage of one call, normalised to OpenAI's convention whatever the provider said:
 * `promptTokens` counts every prompt token (cache reads and cache writes included) and
 * `completionTokens` every output token (reasoning included). The cache and reasoning counts
 * are subsets of those totals, so pricing can bill each token exactly once.
 */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens served from the provider's cache (subset of promptTokens). */
  cachedReadTokens: number;
  /** Prompt tokens written to the provider's cache (subset of promptTokens). */
  cacheWriteTokens: number;
  /** Output tokens spent on reasoning/thinking (subset of completionTokens). */
  reasoningTokens: number;
  /** True when the provider did not report usage and we counted it ourselves. */
  estimated: boolean;
}

export const ZERO_USAGE: Usage = Object.freeze({
  promptTokens: 0,
  completionTokens: 0,
  cachedReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  estimated: false,
});

export function totalTokens(usage: Usage): number {
  return usage.promptTokens + usage.completionTokens;
}
