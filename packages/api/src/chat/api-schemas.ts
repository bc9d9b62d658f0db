import { PROVIDER_IDS } from "@llmg/core";
import { z } from "zod";
import { metadataSchema } from "./metadata";
import { messagesSchema, samplingSchema } from "./schemas";

export const apiChatInput = z.object({
  provider: z.enum(PROVIDER_IDS).meta({ example: "openai" }),
  model: z.string().min(1).max(200).meta({ example: "gpt-4o-mini" }),
  messages: messagesSchema.meta({ example: [{ role: "user", content: "Say hello" }] }),
  ...samplingSchema,
  metadata: metadataSchema.optional(),
  user: z.string().max(256).optional(),
});

const finishReason = z.enum(["stop", "length", "tool_calls", "content_filter"]);

/** The seed's flat success shape, kept as it is for existing callers. */
export const apiChatOutput = z.object({
  success: z.literal(true),
  request_id: z.string().meta({ example: "req_3Hx9..." }),
  provider: z.enum(PROVIDER_IDS),
  model: z.string(),
  content: z.string().nullable(),
  role: z.literal("assistant"),
  finish_reason: finishReason,
  usage: z.object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
    cached_tokens: z.number().int().optional(),
    cache_write_tokens: z.number().int().optional(),
    reasoning_tokens: z.number().int().optional(),
    estimated: z.boolean().optional(),
  }),
  cost: z.object({
    prompt_cost: z.number(),
    completion_cost: z.number(),
    total_cost: z.number(),
    total_cost_exact: z.string().meta({ description: "Exact USD as a decimal string", example: "0.0000243" }),
  }),
  response_time_ms: z.number().int(),
});
