import { createOpenAICompatibleAdapter, type OpenAIDialect } from "../openai-compatible";

/**
 * Mistral rejects unknown fields, so only what it documents is sent: no `user`, no
 * `stream_options` (its last chunk carries usage anyway), `random_seed` for `seed`, and `name`
 * only on tool results.
 */
export const mistralDialect: OpenAIDialect = {
  id: "mistral",
  defaultBaseUrl: "https://api.mistral.ai/v1",
  askForStreamUsage: false,
  maxTokensField: () => "max_tokens",
  supportsUser: false,
  seedField: "random_seed",
  textOnly: false,
  namesOnAllRoles: false,
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
  ]),
  requestIdHeaders: ["x-request-id", "mistral-correlation-id"],
};

export const mistralAdapter = createOpenAICompatibleAdapter(mistralDialect);
