import { createAdapter, type ProviderSpec } from "../adapter";
import { buildAnthropicBody, parseAnthropicResponse } from "./chat";
import { parseAnthropicError } from "./errors";
import { ANTHROPIC_MODELS_PATH } from "./models";
import { createAnthropicStreamTranslator } from "./stream";

export { mapAnthropicStopReason } from "./chat";
export { type AnthropicUsage, normalizeAnthropicUsage } from "./usage";

export const ANTHROPIC_VERSION = "2023-06-01";

export const anthropicSpec: ProviderSpec = {
  id: "anthropic",
  defaultBaseUrl: "https://api.anthropic.com",
  authHeaders: (apiKey) => ({ "x-api-key": apiKey, "anthropic-version": ANTHROPIC_VERSION }),
  requestIdHeaders: ["request-id", "x-request-id"],
  buildChat: (req, ctx, stream) => ({ path: "/v1/messages", body: buildAnthropicBody(req, ctx, stream) }),
  parseChat: (json) => parseAnthropicResponse(json),
  createStreamTranslator: createAnthropicStreamTranslator,
  modelsPath: ANTHROPIC_MODELS_PATH,
  parseError: parseAnthropicError,
  fields: new Set(["temperature", "top_p", "stop", "tools", "tool_choice", "user"]),
};

export const anthropicAdapter = createAdapter(anthropicSpec);
