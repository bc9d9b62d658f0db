import { MAPPABLE_FIELDS } from "../../catalog/param-rules";
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
  // Every mappable field is a ChatCompletionCreateParamsBase field of openai-node
  // src/resources/chat/completions/completions.ts (our request shape is OpenAI's), sent as named.
  fields: new Set(MAPPABLE_FIELDS),
  requestIdHeaders: ["x-request-id"],
};

export const openaiAdapter = createOpenAICompatibleAdapter(openaiDialect);
