import { z } from "zod";
import type { Usage } from "../../usage";

export const geminiUsageSchema = z.object({
  promptTokenCount: z.number().nullish(),
  candidatesTokenCount: z.number().nullish(),
  cachedContentTokenCount: z.number().nullish(),
  thoughtsTokenCount: z.number().nullish(),
  toolUsePromptTokenCount: z.number().nullish(),
  totalTokenCount: z.number().nullish(),
});

export type GeminiUsage = z.output<typeof geminiUsageSchema>;

/**
 * promptTokenCount already includes cachedContentTokenCount. Thoughts are billed as output but
 * are NOT in candidatesTokenCount, so completion = candidates + thoughts. Tokens of tool-use
 * prompts (toolUsePromptTokenCount) are input outside promptTokenCount, so they are added to it.
 */
export function normalizeGeminiUsage(raw: GeminiUsage): Usage {
  const thoughts = raw.thoughtsTokenCount ?? 0;
  return {
    promptTokens: (raw.promptTokenCount ?? 0) + (raw.toolUsePromptTokenCount ?? 0),
    completionTokens: (raw.candidatesTokenCount ?? 0) + thoughts,
    cachedReadTokens: raw.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
    estimated: false,
  };
}
