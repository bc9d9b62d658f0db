import { errorFields, type Services } from "@llmg/api";
import express, { type Router } from "express";
import { bodyParserErrorFields } from "../errors";
import { verifyJsonDepth } from "../json-depth";
import { authenticateUser, handleChatCompletion } from "./chat-completions";
import { modelsHandler } from "./models";
import { sendOpenAiError } from "./openai-errors";

/** The OpenAI-compatible surface. Its errors use OpenAI's shape, not our envelope. */
export function v1Router(services: Services): Router {
  const router = express.Router();
  // Plain JSON bodies never get here: the server routes them to the fast path (http/server.ts).
  // This route takes the rest (compressed bodies, other charsets); as on the fast path, the key
  // is checked before the body is read, and the handler takes the principal from here.
  router.post("/chat/completions", async (req, res, next) => {
    try {
      req.principal = await authenticateUser(services, req, "chat");
      next();
    } catch (error) {
      sendOpenAiError(res, errorFields(error), req.requestId);
    }
  });
  router.use(
    express.json({ limit: services.config.LLMG_BODY_LIMIT, strict: false, verify: verifyJsonDepth }),
  );
  router.post("/chat/completions", (req, res) =>
    handleChatCompletion(services, req, res, req.requestId, async () => req.body, req.principal),
  );
  router.get("/models", modelsHandler(services));
  router.use((req, res) => {
    sendOpenAiError(
      res,
      { status: 404, error: "not_found", message: `No route for ${req.method} /v1${req.path}` },
      req.requestId,
    );
  });
  router.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    sendOpenAiError(res, bodyParserErrorFields(err) ?? errorFields(err), req.requestId);
  });
  return router;
}
