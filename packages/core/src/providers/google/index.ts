import { geminiThinkingFor } from "../../catalog/param-rules/google";
import { createAdapter, type ProviderSpec } from "../adapter";
import { buildGoogleBody, geminiChatPath, parseGoogleResponse } from "./chat";
import { parseGoogleError } from "./errors";
import { GOOGLE_MODELS_PATH } from "./models";
import { createGoogleStreamTranslator } from "./stream";
import { fitEffort } from "./thinking";

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
    // generationConfig.thinkingConfig (thinkingLevel on Gemini 3, thinkingBudget on 2.5).
    "reasoning_effort",
    // Not mappable, hence dropped and named: parallel_tool_calls (Gemini has no switch for
    // parallel calls), prompt_cache_key (Gemini caches implicitly or through cachedContents),
    // service_tier, user (no such request fields: ai.google.dev/api/generate-content).
  ]),
  /** An effort the model cannot honour is moved to the nearest one it has, and reported. */
  adjust(adjusted, model) {
    const effort = adjusted.request.reasoning_effort;
    if (effort === undefined) return adjusted;
    const fitted = fitEffort(effort, geminiThinkingFor(model.id, model.aliases));
    if (fitted === effort) return adjusted;
    return {
      request: { ...adjusted.request, reasoning_effort: fitted },
      adjusted: [
        ...adjusted.adjusted,
        {
          param: "reasoning_effort",
          action: "clamped",
          value: fitted,
          reason: `${model.id} has no thinking setting for ${effort}`,
        },
      ],
    };
  },
};

export const googleAdapter = createAdapter(googleSpec);
