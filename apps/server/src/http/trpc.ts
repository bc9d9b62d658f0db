import { appRouter, createContextInner, type Services } from "@llmg/api";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import type { Request } from "express";
import { requestMeta } from "./request-meta";

export const MAX_BATCH_SIZE = 20;

export function trpcHandler(services: Services) {
  return createExpressMiddleware({
    router: appRouter,
    createContext: ({ req }) => createContextInner(services, requestMeta(req as Request)),
    maxBodySize: services.config.LLMG_BODY_LIMIT,
    // Each call of a batch runs its own procedure (and its own key check and queries): a
    // batch of thousands would be a flood in one request. The typed client batches at most as
    // many (packages/client).
    maxBatchSize: MAX_BATCH_SIZE,
    // Only the session procedures' cookie is passed on: the tRPC surface keeps its own headers.
    responseMeta: ({ ctx }) => {
      const cookie = ctx?.response.headers["set-cookie"];
      return cookie ? { headers: { "set-cookie": cookie, "cache-control": "no-store" } } : {};
    },
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
