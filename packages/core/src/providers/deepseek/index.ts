import { createOpenAICompatibleAdapter, type OpenAIDialect } from "../openai-compatible";

/**
 * DeepSeek speaks Chat Completions with text-only content, no seed/user, and JSON mode without
 * schemas; it reports cache hits as `prompt_cache_hit_tokens` (handled by normalizeOpenAIUsage).
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
  ]),
  requestIdHeaders: ["x-request-id", "x-ds-trace-id"],
};

export const deepseekAdapter = createOpenAICompatibleAdapter(deepseekDialect);
