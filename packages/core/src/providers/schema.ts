import { z } from "zod";

/**
 * The gateway's request shape: OpenAI's Chat Completions body, which every adapter translates from.
 * Unknown keys are stripped (zod's default), and `null` is accepted wherever a field is optional
 * because the official Python SDK sends explicit `None`s as `null`.
 */

function optional<T extends z.ZodType>(schema: T) {
  return schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();
}

/** OpenAI's values (openai-node `ReasoningEffort`). */
export const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;
/** OpenAI's values (openai-node `ChatCompletionCreateParams.service_tier`). */
export const SERVICE_TIERS = ["auto", "default", "flex", "scale", "priority"] as const;

export const textPartSchema = z.object({ type: z.literal("text"), text: z.string() });

export const imagePartSchema = z.object({
  type: z.literal("image_url"),
  image_url: z.object({
    /** An http(s) URL or a `data:<mime>;base64,...` URL. */
    url: z.string().min(1),
    detail: optional(z.enum(["auto", "low", "high"])),
  }),
});

export const contentPartSchema = z.discriminatedUnion("type", [textPartSchema, imagePartSchema]);

/**
 * Provider state a tool call must carry back to its provider. Gemini 3's `thoughtSignature`
 * travels in Google's own OpenAI-compatible shape (`extra_content.google.thought_signature`,
 * ai.google.dev/gemini-api/docs/thought-signatures), so OpenAI SDK users keep it by sending the
 * assistant message back as they received it.
 */
export const toolCallExtraSchema = z.object({
  google: optional(z.object({ thought_signature: optional(z.string()) })),
});

export const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
  extra_content: optional(toolCallExtraSchema),
});

/**
 * Anthropic's extended-thinking blocks, in LiteLLM's `thinking_blocks` shape: a tool loop with
 * thinking on must send the last assistant turn's blocks back unchanged, signature included.
 */
export const thinkingBlockSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() }),
  z.object({ type: z.literal("redacted_thinking"), data: z.string() }),
]);

export const chatMessageSchema = z.object({
  // OpenAI's newer `developer` role means the same as `system` everywhere else.
  role: z
    .enum(["system", "developer", "user", "assistant", "tool"])
    .transform((role) => (role === "developer" ? "system" : role)),
  // `null` (or absent) is legal for an assistant message that only carries tool calls.
  content: z
    .union([z.string(), z.array(contentPartSchema)])
    .nullable()
    .default(null),
  name: optional(z.string()),
  tool_call_id: optional(z.string()),
  tool_calls: optional(z.array(toolCallSchema)),
  /** A reasoning model's reasoning text (DeepSeek's name), sent back on assistant turns. */
  reasoning_content: optional(z.string()),
  /** Anthropic thinking blocks of an assistant turn, sent back in a tool loop. */
  thinking_blocks: optional(z.array(thinkingBlockSchema)),
});

export const toolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: optional(z.string()),
    parameters: optional(z.record(z.string(), z.unknown())),
    strict: optional(z.boolean()),
  }),
});

export const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);

export const responseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string(),
      description: optional(z.string()),
      schema: optional(z.record(z.string(), z.unknown())),
      strict: optional(z.boolean()),
    }),
  }),
]);

export const chatRequestSchema = z.object({
  /** The provider's own model id (the catalog resolves the gateway's name to it). */
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  temperature: optional(z.number().min(0).max(2)),
  top_p: optional(z.number().min(0).max(1)),
  max_tokens: optional(z.number().int().positive()),
  /** OpenAI's newer name for max_tokens; adapters treat the two as one. */
  max_completion_tokens: optional(z.number().int().positive()),
  stop: optional(z.union([z.string(), z.array(z.string())])),
  presence_penalty: optional(z.number().min(-2).max(2)),
  frequency_penalty: optional(z.number().min(-2).max(2)),
  seed: optional(z.number().int()),
  tools: optional(z.array(toolSchema)),
  tool_choice: optional(toolChoiceSchema),
  response_format: optional(responseFormatSchema),
  user: optional(z.string()),
  /** OpenAI's reasoning effort; each adapter maps it to its provider's thinking control. */
  reasoning_effort: optional(z.enum(REASONING_EFFORTS)),
  parallel_tool_calls: optional(z.boolean()),
  prompt_cache_key: optional(z.string()),
  service_tier: optional(z.enum(SERVICE_TIERS)),
  /** Read by the server to pick chat() or chatStream(); adapters ignore it. */
  stream: optional(z.boolean()),
  stream_options: optional(z.object({ include_usage: optional(z.boolean()) })),
});

export type ChatRequest = z.output<typeof chatRequestSchema>;
export type ChatRequestInput = z.input<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest["messages"][number];
export type ChatRole = ChatMessage["role"];
export type ContentPart = z.output<typeof contentPartSchema>;
export type ToolDefinition = z.output<typeof toolSchema>;
export type ToolChoice = z.output<typeof toolChoiceSchema>;
export type ResponseFormat = z.output<typeof responseFormatSchema>;
export type ThinkingBlock = z.output<typeof thinkingBlockSchema>;
export type ToolCallExtra = z.output<typeof toolCallExtraSchema>;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** The output cap the caller asked for, whichever of OpenAI's two names it used. */
export function requestedMaxTokens(req: ChatRequest): number | undefined {
  return req.max_completion_tokens ?? req.max_tokens;
}
