import { ApiError, errorFields, modelAllowed, type Services } from "@llmg/api";
import type { ModelInfo } from "@llmg/core";
import type { Request, Response } from "express";
import { authenticateAnthropic } from "./auth";
import { sendAnthropicError } from "./errors";

/**
 * The catalog has no release dates: every model says the epoch, which the SDK's ModelInfo
 * (`created_at: string`, RFC 3339) accepts and no client orders by.
 */
const CREATED_AT = "1970-01-01T00:00:00Z";

const entry = (m: ModelInfo) => ({
  type: "model",
  id: m.id,
  display_name: m.displayName,
  created_at: CREATED_AT,
});

/** The Anthropic models the key may call, in the catalog's order. */
function anthropicModels(services: Services, allowed: readonly string[] | null): ModelInfo[] {
  return services.catalog
    .models()
    .filter((m) => m.provider === "anthropic" && modelAllowed(allowed, m.provider, [m.id]));
}

/**
 * GET /anthropic/v1/models: Anthropic's page shape (anthropic-sdk-typescript ModelInfosPage:
 * `data`, `has_more`, `first_id`, `last_id`), all on one page.
 */
export function modelsHandler(services: Services) {
  return async (req: Request, res: Response) => {
    try {
      const principal = await authenticateAnthropic(services, req, "read");
      const models = anthropicModels(services, principal.allowedModels).map(entry);
      res.json({
        data: models,
        has_more: false,
        first_id: models[0]?.id ?? null,
        last_id: models.at(-1)?.id ?? null,
      });
    } catch (error) {
      sendAnthropicError(res, errorFields(error), req.requestId);
    }
  };
}

/** GET /anthropic/v1/models/{model_id}: one ModelInfo, or Anthropic's 404. */
export function modelHandler(services: Services) {
  return async (req: Request<{ id: string }>, res: Response) => {
    try {
      const principal = await authenticateAnthropic(services, req, "read");
      const model = services.catalog.model("anthropic", req.params.id);
      if (!model || !modelAllowed(principal.allowedModels, "anthropic", [model.id, req.params.id])) {
        throw new ApiError("not_found", `model: ${req.params.id}`);
      }
      res.json(entry(model));
    } catch (error) {
      sendAnthropicError(res, errorFields(error), req.requestId);
    }
  };
}
