import { appRouter, createContextInner, type Services } from "@llmg/api";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import type { Request } from "express";
import { requestMeta } from "./rest";

export function trpcHandler(services: Services) {
  return createExpressMiddleware({
    router: appRouter,
    createContext: ({ req }) => createContextInner(services, requestMeta(req as Request)),
    maxBodySize: services.config.LLMG_BODY_LIMIT,
    onError: ({ error, req }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        services.logger.error(
          { request_id: (req as Request).requestId, err: error.cause ?? error },
          "trpc error",
        );
      }
    },
  });
}
