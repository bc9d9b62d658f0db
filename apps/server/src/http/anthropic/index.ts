import { errorFields, type Services } from "@llmg/api";
import express, { type Router } from "express";
import { bodyParserErrorFields } from "../errors";
import { verifyJsonDepth } from "../json-depth";
import { authenticateAnthropic } from "./auth";
import { sendAnthropicError } from "./errors";
import { countTokensHandler, messagesHandler } from "./messages";
import { modelHandler, modelsHandler } from "./models";

/**
 * Anthropic's Messages API at /anthropic, so the official SDK and Claude Code work with
 * ANTHROPIC_BASE_URL=<llmg>/anthropic and an llmg key. Every answer, errors included, is in
 * Anthropic's shape, and carries `request-id` (the SDK's `requestID`).
 */
export function anthropicRouter(services: Services): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    res.setHeader("request-id", req.requestId);
    next();
  });
  // As on /v1: the key is checked before the body is read.
  router.post(["/v1/messages", "/v1/messages/count_tokens"], async (req, res, next) => {
    try {
      req.principal = await authenticateAnthropic(services, req, "chat");
      next();
    } catch (error) {
      sendAnthropicError(res, errorFields(error), req.requestId);
    }
  });
  router.use(
    express.json({ limit: services.config.LLMG_BODY_LIMIT, strict: false, verify: verifyJsonDepth }),
  );
  router.post("/v1/messages", messagesHandler(services));
  router.post("/v1/messages/count_tokens", countTokensHandler(services));
  router.get("/v1/models", modelsHandler(services));
  router.get("/v1/models/:id", modelHandler(services));
  router.use((req, res) => {
    sendAnthropicError(
      res,
      { status: 404, error: "not_found", message: `No route for ${req.method} /anthropic${req.path}` },
      req.requestId,
    );
  });
  router.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    sendAnthropicError(res, bodyParserErrorFields(err) ?? errorFields(err), req.requestId);
  });
  return router;
}
