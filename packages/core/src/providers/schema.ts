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

export const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

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

/** The output cap the caller asked for, whichever of OpenAI's two names it used. */
export function requestedMaxTokens(req: ChatRequest): number | undefined {
  return req.max_completion_tokens ?? req.max_tokens;
}
