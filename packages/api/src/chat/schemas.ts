import { chatMessageSchema } from "@llmg/core";
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
