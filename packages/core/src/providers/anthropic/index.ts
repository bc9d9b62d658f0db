import { createAdapter, type ProviderSpec } from "../adapter";
import { requestedMaxTokens } from "../schema";
import type { ProviderAdapter } from "../types";
import { adjustAnthropic } from "./adjust";
import { buildAnthropicBody, parseAnthropicResponse } from "./chat";
import { parseAnthropicError } from "./errors";
import { aggregateStream, NON_STREAMING_MAX_TOKENS } from "./long-call";
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
  fields: new Set([
    "temperature",
    "top_p",
    "stop",
    "tools",
    "tool_choice",
    "user",
    "reasoning_effort",
    "parallel_tool_calls",
    "response_format",
    "service_tier",
  ]),
  adjust: adjustAnthropic,
};

const base = createAdapter(anthropicSpec);

/**
 * A non-streamed call asking for more output than the official SDK sends unstreamed is made as a
 * stream and read whole into one ChatResult, as the SDK's docs advise for long requests
 * (`stream.finalMessage()`).
 */
export const anthropicAdapter: ProviderAdapter = {
  ...base,
  chat(req, ctx) {
    const requested = requestedMaxTokens(req);
    if (requested !== undefined && requested > NON_STREAMING_MAX_TOKENS) {
      return aggregateStream(base.chatStream(req, ctx));
    }
    return base.chat(req, ctx);
  },
};
