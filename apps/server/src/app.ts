import { createOpenApiDocument, type Services } from "@llmg/api";
import express, { type Express } from "express";
import { anthropicRouter } from "./http/anthropic";
import { authenticateFirst } from "./http/authenticate-first";
import { docsRouter } from "./http/docs";
import { errorHandler, notFoundHandler } from "./http/errors";
import { healthRouter } from "./http/health";
import { verifyJsonDepth } from "./http/json-depth";
import { requestContext } from "./http/request-context";
import { restHandler } from "./http/rest";
import { trpcHandler } from "./http/trpc";
import { usageExportHandler } from "./http/usage-export";
import { v1Router } from "./http/v1";
import { defaultWebDir, webRouter } from "./http/web";
import type { AppLogger } from "./logger";

export function createApp(services: Services, logger: AppLogger): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  // req.ip (activity log, usage rows, auth throttling) is the client behind that many proxies.
  if (services.config.LLMG_TRUST_PROXY > 0) app.set("trust proxy", services.config.LLMG_TRUST_PROXY);

  app.use(requestContext(logger));
  app.use(healthRouter(services));

  const openApiDocument = createOpenApiDocument();
  app.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument);
  });
  app.use("/docs", docsRouter());

  const json = express.json({
    limit: services.config.LLMG_BODY_LIMIT,
    strict: false,
    verify: verifyJsonDepth,
  });
  // Streamed, so outside the router (trpc-to-openapi answers in one piece); same key check first.
  app.get("/api/usage/export", authenticateFirst(services), usageExportHandler(services));
  app.use("/api", authenticateFirst(services), json, restHandler(services));
  app.use("/trpc", trpcHandler(services));
  app.use("/v1", v1Router(services));
  app.use("/anthropic", anthropicRouter(services));
  // The dashboard last: it never sits in front of the API (and /v1's chat calls do not even
  // reach express, see http/server.ts).
  app.use(webRouter(services.config.LLMG_WEB_DIR ?? defaultWebDir()));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
