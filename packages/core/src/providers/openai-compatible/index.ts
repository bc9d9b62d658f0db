import { createAdapter, type ProviderSpec } from "../adapter";
import type { ProviderAdapter } from "../types";
import { buildOpenAIChatBody, parseOpenAIChatResponse } from "./chat";
import type { OpenAIDialect } from "./dialect";
import { parseOpenAIError } from "./errors";
import { OPENAI_MODELS_PATH } from "./models";
import { createOpenAIStreamTranslator } from "./stream";

export { mapOpenAIFinishReason } from "./chat";
export type { OpenAIDialect } from "./dialect";
export { normalizeOpenAIUsage, type OpenAIUsage } from "./usage";

export function openAICompatibleSpec(dialect: OpenAIDialect): ProviderSpec {
  return {
    id: dialect.id,
    defaultBaseUrl: dialect.defaultBaseUrl,
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    requestIdHeaders: dialect.requestIdHeaders,
    buildChat: (req, _ctx, stream) => ({
      path: "/chat/completions",
      body: buildOpenAIChatBody(req, dialect, stream),
    }),
    parseChat: (json, req) => parseOpenAIChatResponse(json, req, dialect),
    createStreamTranslator: () => createOpenAIStreamTranslator(dialect),
    modelsPath: OPENAI_MODELS_PATH,
    parseError: parseOpenAIError,
    fields: dialect.fields,
  };
}

export function createOpenAICompatibleAdapter(dialect: OpenAIDialect): ProviderAdapter {
  return createAdapter(openAICompatibleSpec(dialect));
}
