import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Usage } from "../../usage";
import { compact, hasImages, textOf } from "../content";
import { malformedResponse, ProviderError } from "../errors";
import { type ChatMessage, type ChatRequest, requestedMaxTokens } from "../schema";
import { estimateUsage } from "../tokens";
import type { ChatResult, FinishReason, ToolCall } from "../types";
import type { OpenAIDialect } from "./dialect";
import { normalizeOpenAIUsage, openAIUsageSchema } from "./usage";

/** Chat Completions request and response translation, shared by OpenAI, DeepSeek and Mistral. */

function toMessage(message: ChatMessage, dialect: OpenAIDialect): Record<string, unknown> {
  let content = message.content;
  if (dialect.textOnly && Array.isArray(content)) {
    if (hasImages(content)) {
      throw new ProviderError(`${dialect.id} does not accept image content`, {
        status: 400,
        provider: dialect.id,
      });
    }
    content = textOf(content);
  }
  const withName = message.role === "tool" || dialect.namesOnAllRoles;
  const callId = dialect.toolCallId ?? ((id: string) => id);
  return compact({
    role: message.role,
    content,
    name: withName ? message.name : undefined,
    tool_call_id: message.tool_call_id === undefined ? undefined : callId(message.tool_call_id),
    // Only the OpenAI fields of a call: Google's extra_content is refused by Mistral
    // (extra_forbidden) and means nothing to the others.
    tool_calls: message.tool_calls?.map((call) => ({
      id: callId(call.id),
      type: "function",
      function: { name: call.function.name, arguments: call.function.arguments },
    })),
    reasoning_content:
      dialect.sendsReasoningContent && message.role === "assistant" ? message.reasoning_content : undefined,
  });
}

export function buildOpenAIChatBody(
  req: ChatRequest,
  dialect: OpenAIDialect,
  stream: boolean,
): Record<string, unknown> {
  const maxTokens = requestedMaxTokens(req);
  const maxField = dialect.maxTokensField(req.model, req.max_completion_tokens !== undefined);
  const hasTools = req.tools !== undefined && req.tools.length > 0;
  return compact({
    model: req.model,
    messages: req.messages.map((message) => toMessage(message, dialect)),
    temperature: req.temperature,
    top_p: req.top_p,
    [maxField]: maxTokens,
    stop: req.stop,
    presence_penalty: req.presence_penalty,
    frequency_penalty: req.frequency_penalty,
    ...(dialect.seedField ? { [dialect.seedField]: req.seed } : {}),
    tools: hasTools ? req.tools : undefined,
    tool_choice: hasTools ? req.tool_choice : undefined,
    response_format: req.response_format && dialect.responseFormat(req.response_format),
    user: dialect.supportsUser ? req.user : undefined,
    // OpenAI's own names (openai-node ChatCompletionCreateParamsBase), for the dialects that map them.
    reasoning_effort: dialect.fields.has("reasoning_effort") ? req.reasoning_effort : undefined,
    // "'parallel_tool_calls' is only allowed when 'tools' are specified" (OpenAI's 400, as reported
    // in github.com/Upsonic/Upsonic/issues/323).
    parallel_tool_calls:
      hasTools && dialect.fields.has("parallel_tool_calls") ? req.parallel_tool_calls : undefined,
    prompt_cache_key: dialect.fields.has("prompt_cache_key") ? req.prompt_cache_key : undefined,
    service_tier: dialect.fields.has("service_tier") ? req.service_tier : undefined,
    stream: stream ? true : undefined,
    stream_options: stream && dialect.askForStreamUsage ? { include_usage: true } : undefined,
  });
}

/**
 * Content is a string or, from Mistral, chunks: `text`, and `thinking` (magistral and other
 * reasoning models) whose `thinking` holds text chunks. Source: mistralai/client-ts
 * src/models/components/contentchunk.ts, thinkchunk.ts, textchunk.ts.
 */
const contentChunkSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.array(z.looseObject({ type: z.string(), text: z.string().nullish() })).nullish(),
});
export const openAIContentSchema = z.union([z.string(), z.array(contentChunkSchema)]).nullish();
type OpenAIContent = z.output<typeof openAIContentSchema>;

export function contentText(content: OpenAIContent): string | undefined {
  if (content === null || content === undefined) return undefined;
  if (typeof content === "string") return content;
  return content
    .filter((chunk) => chunk.type === "text")
    .map((chunk) => chunk.text ?? "")
    .join("");
}

/** The text of Mistral's `thinking` chunks, undefined when there are none. */
export function contentThinking(content: OpenAIContent): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const thinking = content.filter((chunk) => chunk.type === "thinking");
  if (thinking.length === 0) return undefined;
  return thinking
    .flatMap((chunk) => chunk.thinking ?? [])
    .filter((part) => part.type === "text")
    .map((part) => part.text ?? "")
    .join("");
}

/**
 * Arguments are a JSON string (OpenAI, DeepSeek) or, from Mistral, possibly an object
 * (mistralai/client-ts src/models/components/functioncall.ts: `arguments: {[k]: any} | string`).
 */
export const toolArgumentsSchema = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .nullish()
  .transform((value) =>
    value === null || value === undefined || typeof value === "string" ? value : JSON.stringify(value),
  );

const responseSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: openAIContentSchema,
          /** DeepSeek's thinking mode (https://api-docs.deepseek.com/guides/thinking_mode). */
          reasoning_content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string(),
                function: z.object({ name: z.string(), arguments: toolArgumentsSchema }),
              }),
            )
            .nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: openAIUsageSchema.nullish(),
});

/**
 * Mistral's `finish_reason: "error"` (mistralai/client-ts src/models/components/chatcompletionchoice.ts):
 * the answer broke off on the provider's side. It is a failure, but the provider bills it, so
 * the usage goes with the error for the service to charge.
 */
export function finishedWithError(provider: OpenAIDialect["id"], usage: Usage | undefined): ProviderError {
  return new ProviderError(`${provider} stopped generating with finish_reason "error"`, {
    status: 502,
    provider,
    providerCode: "finish_reason_error",
    ...(usage === undefined ? {} : { partialUsage: usage }),
  });
}

export function mapOpenAIFinishReason(
  reason: string | null | undefined,
  hasToolCalls: boolean,
): FinishReason {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
    case "model_length": // Mistral: the model's context window ran out
    case "insufficient_system_resource": // DeepSeek: generation cut short
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return hasToolCalls ? "tool_calls" : "stop";
  }
}

export function parseOpenAIChatResponse(
  json: unknown,
  req: ChatRequest,
  dialect: OpenAIDialect,
): Omit<ChatResult, "providerRequestId"> {
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success)
    throw malformedResponse(dialect.id, `unexpected shape (${parsed.error.issues[0]?.message})`);
  const response = parsed.data;
  const choice = response.choices[0]!;
  const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).map((call) => ({
    id: call.id,
    type: "function",
    // "" (no arguments) becomes "{}" in the adapter, for every provider.
    function: { name: call.function.name, arguments: call.function.arguments ?? "" },
  }));
  const content = contentText(choice.message.content) ?? null;
  const reasoning = choice.message.reasoning_content ?? contentThinking(choice.message.content);
  const usage = response.usage
    ? normalizeOpenAIUsage(response.usage)
    : estimateUsage(
        req,
        (reasoning ?? "") +
          (content ?? "") +
          toolCalls.map((c) => c.function.name + c.function.arguments).join(""),
      );
  if (choice.finish_reason === "error") throw finishedWithError(dialect.id, usage);
  return {
    id: response.id ?? `chatcmpl-${randomUUID()}`,
    model: response.model ?? req.model,
    content,
    role: "assistant",
    finishReason: mapOpenAIFinishReason(choice.finish_reason, toolCalls.length > 0),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(reasoning ? { reasoningContent: reasoning } : {}),
    usage,
  };
}
