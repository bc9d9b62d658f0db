import { createOpenAICompatibleAdapter, type OpenAIDialect } from "../openai-compatible";

export const openaiDialect: OpenAIDialect = {
  id: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  askForStreamUsage: true,
  // Which models want `max_completion_tokens` is catalog data (param-rules/openai.ts
  // maxTokensField, applied by adjust); a client's own max_completion_tokens is kept as it came.
  maxTokensField: (_model, clientUsedMaxCompletionTokens) =>
    clientUsedMaxCompletionTokens ? "max_completion_tokens" : "max_tokens",
  supportsUser: true,
  seedField: "seed",
  textOnly: false,
  namesOnAllRoles: true,
  responseFormat: (format) => format,
  // Every field below is a ChatCompletionCreateParamsBase field of openai-node
  // src/resources/chat/completions/completions.ts, sent under its own name.
  fields: new Set([
    "temperature",
    "top_p",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "tools",
    "tool_choice",
    "response_format",
    "user",
    "reasoning_effort",
    "parallel_tool_calls",
    "prompt_cache_key",
    "service_tier",
  ]),
  requestIdHeaders: ["x-request-id"],
};

export const openaiAdapter = createOpenAICompatibleAdapter(openaiDialect);
