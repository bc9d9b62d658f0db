import type { Services } from "@llmg/api";
import { errorFields } from "@llmg/api";
import type { Request, Response } from "express";
import { authenticateUser } from "./chat-completions";
import { sendOpenAiError } from "./openai-errors";

/** GET /v1/models: the catalog in OpenAI's list format, ids as "provider/model". */
export function modelsHandler(services: Services) {
  let cached: string | undefined;
  return async (req: Request, res: Response) => {
    try {
      await authenticateUser(services, req);
      cached ??= JSON.stringify({
        object: "list",
        data: services.catalog.models().map((m) => ({
          id: `${m.provider}/${m.id}`,
          object: "model",
          created: 0,
          owned_by: m.provider,
        })),
      });
      res.type("application/json").send(cached);
    } catch (error) {
      sendOpenAiError(res, errorFields(error), req.requestId);
    }
  };
}
