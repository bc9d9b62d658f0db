import { createAdapter, type ProviderSpec } from "../adapter";
import { buildGoogleBody, geminiChatPath, parseGoogleResponse } from "./chat";
import { parseGoogleError } from "./errors";
import { GOOGLE_MODELS_PATH } from "./models";
import { createGoogleStreamTranslator } from "./stream";

export { mapGeminiFinishReason } from "./chat";
export { type GeminiUsage, normalizeGeminiUsage } from "./usage";

export const googleSpec: ProviderSpec = {
  id: "google",
  defaultBaseUrl: "https://generativelanguage.googleapis.com",
  authHeaders: (apiKey) => ({ "x-goog-api-key": apiKey }),
  requestIdHeaders: ["x-request-id"],
  buildChat: (req, _ctx, stream) => ({ path: geminiChatPath(req.model, stream), body: buildGoogleBody(req) }),
  parseChat: parseGoogleResponse,
  createStreamTranslator: createGoogleStreamTranslator,
  modelsPath: GOOGLE_MODELS_PATH,
  parseError: parseGoogleError,
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
};

export const googleAdapter = createAdapter(googleSpec);
