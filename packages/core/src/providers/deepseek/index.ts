import { createAdapter, type ProviderSpec } from "../adapter";
import type { AdjustedRequest } from "../adjust";
import { isRecord } from "../errors";
import { type OpenAIDialect, openAICompatibleSpec } from "../openai-compatible";
import { adjustForThinking, deepseekThinkingFields, deepseekThinks } from "./thinking";

/**
 * DeepSeek speaks Chat Completions with text-only content, no seed/user, and JSON mode without
 * schemas; it reports cache hits as `prompt_cache_hit_tokens` (handled by normalizeOpenAIUsage).
 * In thinking mode it answers `reasoning_content`, which must come back on tool-call turns.
 */
export const deepseekDialect: OpenAIDialect = {
  id: "deepseek",
  defaultBaseUrl: "https://api.deepseek.com",
  askForStreamUsage: true,
  maxTokensField: () => "max_tokens",
  supportsUser: false,
  textOnly: true,
  namesOnAllRoles: true,
  // Only json_object exists; a schema request still gets JSON out.
  responseFormat: (format) => (format.type === "json_schema" ? { type: "json_object" } : format),
  fields: new Set([
    "temperature",
    "top_p",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "tools",
    "tool_choice",
    "response_format",
    "reasoning_effort",
  ]),
  requestIdHeaders: ["x-request-id", "x-ds-trace-id"],
  sendsReasoningContent: true,
};

const base = openAICompatibleSpec(deepseekDialect);

/**
 * "For turns that do perform tool calls, the reasoning_content must be fully passed back to the
 * API in all subsequent requests ... the API will return a 400 error"
 * (https://api-docs.deepseek.com/guides/thinking_mode, Tool Calls). A turn that has none (it was
 * answered by another provider, or the client dropped it) goes with an empty one, which DeepSeek
 * accepts (rule as reported in deepseek-ai/deepseek-harness discussion #1850: only an absent
 * field is refused).
 */
function withReasoningOnToolTurns(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  for (const message of messages) {
    if (isRecord(message) && message.role === "assistant" && message.tool_calls !== undefined) {
      message.reasoning_content ??= "";
    }
  }
}

export const deepseekSpec: ProviderSpec = {
  ...base,
  buildChat(req, ctx, stream) {
    const built = base.buildChat(req, ctx, stream);
    const body = built.body as Record<string, unknown>;
    delete body.reasoning_effort;
    Object.assign(body, deepseekThinkingFields(req.model, req.reasoning_effort));
    if (deepseekThinks(req.model, req.reasoning_effort)) withReasoningOnToolTurns(body.messages);
    return built;
  },
  adjust: (adjusted, model) => withJsonModeReported(adjustForThinking(adjusted, model)),
};

/**
 * DeepSeek has JSON mode but no schemas (api-docs.deepseek.com/guides/json_mode): a json_schema
 * request goes as `json_object` (the dialect's responseFormat), and the client is told.
 */
function withJsonModeReported(adjusted: AdjustedRequest): AdjustedRequest {
  if (adjusted.request.response_format?.type !== "json_schema") return adjusted;
  return {
    request: adjusted.request,
    adjusted: [
      ...adjusted.adjusted,
      {
        param: "response_format",
        action: "mapped",
        value: "json_object",
        reason: "DeepSeek's JSON mode takes no schema",
      },
    ],
  };
}

export const deepseekAdapter = createAdapter(deepseekSpec);
