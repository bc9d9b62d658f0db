import { createOpenAICompatibleAdapter, type OpenAIDialect } from "../openai-compatible";

/** o-series and gpt-5 models reject `max_tokens` and want `max_completion_tokens`. */
const REASONING_MODEL = /^(o\d|gpt-5)/;

export const openaiDialect: OpenAIDialect = {
  id: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  askForStreamUsage: true,
  maxTokensField: (model, clientUsedMaxCompletionTokens) =>
    clientUsedMaxCompletionTokens || REASONING_MODEL.test(model) ? "max_completion_tokens" : "max_tokens",
  supportsUser: true,
  seedField: "seed",
  textOnly: false,
  namesOnAllRoles: true,
  responseFormat: (format) => format,
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
  ]),
  requestIdHeaders: ["x-request-id"],
};

export const openaiAdapter = createOpenAICompatibleAdapter(openaiDialect);
