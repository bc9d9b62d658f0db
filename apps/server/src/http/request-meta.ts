import type { Request } from "express";

/** What a procedure (or the /api stream route) knows of the HTTP request it serves. */
export function requestMeta(req: Request) {
  return {
    requestId: req.requestId,
    ip: req.ip ?? req.socket.remoteAddress ?? null,
    userAgent: req.get("user-agent") ?? null,
    authorization: req.get("authorization"),
    metadataHeader: req.get("x-llmg-metadata"),
    cacheHeader: req.get("x-llmg-cache"),
    // Raw headers only: the cookie is parsed when a call has no Authorization header.
    cookieHeader: req.headers.cookie,
    csrfHeader: req.get("x-llmg-csrf"),
    secure: req.secure,
    attributionHeaders: {
      tags: req.get("x-llmg-tags"),
      runId: req.get("x-llmg-run-id"),
      runBudgetUsd: req.get("x-llmg-run-budget-usd"),
    },
  };
}
