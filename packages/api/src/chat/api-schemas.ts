import { PROVIDER_IDS, responseFormatSchema, toolChoiceSchema, toolSchema } from "@llmg/core";
import { z } from "zod";
import { cacheBodySchema } from "../cache/policy";
import { fallbackFields, ROUTE_PREFIX } from "../model-routes/schemas";
import { metadataSchema } from "./metadata";
import { messagesSchema, requestOptionsSchema, samplingSchema } from "./schemas";
import { checkToolRules } from "./tool-rules";

export const apiChatInput = z
  .object({
    provider: z
      .enum(PROVIDER_IDS)
      .optional()
      .meta({ example: "openai", description: "Required, except when `model` is a route (`route/NAME`)" }),
    model: z.string().min(1).max(200).meta({ example: "gpt-4o-mini" }),
    ...fallbackFields,
    messages: messagesSchema.meta({ example: [{ role: "user", content: "Say hello" }] }),
    ...samplingSchema,
    /** OpenAI's newer name for max_tokens (reasoning models take only it); the two are one cap. */
    max_completion_tokens: z.number().int().min(1).max(1_000_000).optional(),
    ...requestOptionsSchema,
    tools: z.array(toolSchema).max(128).optional(),
    tool_choice: toolChoiceSchema.optional(),
    response_format: responseFormatSchema.optional(),
    metadata: metadataSchema.optional(),
    cache: cacheBodySchema.optional(),
    user: z.string().max(256).optional(),
    stream: z.boolean().optional().meta({
      description:
        "true: the answer is a text/event-stream of chat.completion.chunk events (served on POST /api/chat/completions only, not over tRPC)",
    }),
  })
  .superRefine(checkToolRules)
  .superRefine((input, ctx) => {
    const route = input.model.startsWith(ROUTE_PREFIX);
    if (input.provider === undefined && !route) {
      ctx.addIssue({ code: "custom", path: ["provider"], message: "required (unless model is route/NAME)" });
    }
    if (input.provider !== undefined && route) {
      ctx.addIssue({
        code: "custom",
        path: ["provider"],
        message: "a route names its own providers: leave provider out",
      });
    }
  });

export type ApiChatInput = z.output<typeof apiChatInput>;

/** The top-level fields of POST /api/chat/completions; any other is dropped and named. */
export const API_CHAT_FIELDS: ReadonlySet<string> = new Set(Object.keys(apiChatInput.shape));

const toolCallOutput = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
  extra_content: z
    .object({ google: z.object({ thought_signature: z.string().optional() }).optional() })
    .optional()
    .meta({ description: "Provider state to send back with the call (Gemini 3 thought signatures)" }),
});

const thinkingBlockOutput = z.union([
  z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() }),
  z.object({ type: z.literal("redacted_thinking"), data: z.string() }),
]);

const finishReason = z.enum(["stop", "length", "tool_calls", "content_filter"]);

/** The seed's flat success shape, kept as it is for existing callers. */
export const apiChatOutput = z.object({
  success: z.literal(true),
  request_id: z.string().meta({ example: "req_3Hx9..." }),
  provider: z.enum(PROVIDER_IDS),
  model: z.string(),
  content: z.string().nullable(),
  role: z.literal("assistant"),
  tool_calls: z.array(toolCallOutput).optional(),
  reasoning_content: z.string().optional().meta({ description: "The model's visible reasoning" }),
  thinking_blocks: z
    .array(thinkingBlockOutput)
    .optional()
    .meta({ description: "Anthropic thinking blocks to send back on the assistant message in a tool loop" }),
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
