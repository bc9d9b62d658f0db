import { chatMessageSchema, REASONING_EFFORTS, SERVICE_TIERS } from "@llmg/core";
import { z } from "zod";

/** Sampling parameters shared by both chat surfaces, with OpenAI's ranges. */
export const samplingSchema = {
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(4)]).optional(),
};

export const messagesSchema = z.array(chatMessageSchema).min(1).max(2000);

/** Optional fields both surfaces take and each adapter maps (or drops and names). */
export const requestOptionsSchema = {
  seed: z.number().int().optional(),
  reasoning_effort: z.enum(REASONING_EFFORTS).optional(),
  parallel_tool_calls: z.boolean().optional(),
  prompt_cache_key: z.string().min(1).max(1024).optional(),
  service_tier: z.enum(SERVICE_TIERS).optional(),
};
