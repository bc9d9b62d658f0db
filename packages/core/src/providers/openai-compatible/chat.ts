import { randomUUID } from "node:crypto";
import { z } from "zod";
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
  return compact({
    role: message.role,
    content,
    name: withName ? message.name : undefined,
    tool_call_id: message.tool_call_id,
    tool_calls: message.tool_calls,
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

/** Mistral's reasoning models answer content as chunks (`text`, `thinking`, ...). */
export const openAIContentSchema = z
  .union([z.string(), z.array(z.object({ type: z.string(), text: z.string().nullish() }))])
  .nullish();

export function contentText(content: z.output<typeof openAIContentSchema>): string | undefined {
  if (content === null || content === undefined) return undefined;
  if (typeof content === "string") return content;
  return content
    .filter((chunk) => chunk.type === "text")
    .map((chunk) => chunk.text ?? "")
    .join("");
}

const responseSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: openAIContentSchema,
          tool_calls: z
            .array(
              z.object({
                id: z.string(),
                function: z.object({ name: z.string(), arguments: z.string().nullish() }),
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
    function: { name: call.function.name, arguments: call.function.arguments ?? "" },
  }));
  const content = contentText(choice.message.content) ?? null;
  const usage = response.usage
    ? normalizeOpenAIUsage(response.usage)
    : estimateUsage(
        req,
        (content ?? "") + toolCalls.map((c) => c.function.name + c.function.arguments).join(""),
      );
  return {
    id: response.id ?? `chatcmpl-${randomUUID()}`,
    model: response.model ?? req.model,
    content,
    role: "assistant",
    finishReason: mapOpenAIFinishReason(choice.finish_reason, toolCalls.length > 0),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    usage,
  };
}
