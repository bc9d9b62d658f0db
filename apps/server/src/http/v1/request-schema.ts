import { messagesSchema, metadataSchema, samplingSchema } from "@llmg/api";
import { z } from "zod";

/** The subset of OpenAI's chat request llmg routes; unknown fields are dropped, not forwarded. */
export const openAiChatRequest = z.object({
  model: z.string().min(1).max(300),
  messages: messagesSchema,
  ...samplingSchema,
  max_completion_tokens: z.number().int().min(1).max(1_000_000).optional(),
  n: z.literal(1).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z.array(z.unknown()).max(128).optional(),
  tool_choice: z.unknown().optional(),
  response_format: z.unknown().optional(),
  user: z.string().max(256).optional(),
  metadata: metadataSchema.optional(),
});

export type OpenAiChatRequest = z.infer<typeof openAiChatRequest>;
