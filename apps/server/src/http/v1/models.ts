import type { Services } from "@llmg/api";
import { errorFields, modelAllowed } from "@llmg/api";
import type { Request, Response } from "express";
import { authenticateUser } from "./chat-completions";
import { sendOpenAiError } from "./openai-errors";

/**
 * GET /v1/models: the catalog in OpenAI's list format, ids as "provider/model". A key with an
 * allowlist sees only the models it may call (the full list is built once and kept).
 */
export function modelsHandler(services: Services) {
  let cached: string | undefined;
  const list = (allowed: readonly string[] | null) =>
    JSON.stringify({
      object: "list",
      data: services.catalog
        .models()
        .filter((m) => modelAllowed(allowed, m.provider, [m.id]))
        .map((m) => ({ id: `${m.provider}/${m.id}`, object: "model", created: 0, owned_by: m.provider })),
    });
  return async (req: Request, res: Response) => {
    try {
      const principal = await authenticateUser(services, req, "read");
      if (principal.allowedModels !== null) {
        res.type("application/json").send(list(principal.allowedModels));
        return;
      }
      cached ??= list(null);
      const body = cached;
      res.type("application/json").send(body);
    } catch (error) {
      sendOpenAiError(res, errorFields(error), req.requestId);
    }
  };
}
