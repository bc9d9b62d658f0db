import {
  appRouter,
  type Context,
  createContextInner,
  errorFields,
  isDatabaseInputError,
  type Services,
} from "@llmg/api";
import type { NextFunction, Request, Response } from "express";
import { createOpenApiExpressMiddleware } from "trpc-to-openapi";
import { apiChatMeta, handleApiChatStream, isApiChatStream } from "./api-chat-stream";
import { errorEnvelope } from "./envelope";

interface TrpcToOpenApiErrorBody {
  message?: string;
  data?: { error?: string; message?: string; details?: unknown; retry_after?: number };
}

/**
 * trpc-to-openapi writes its own error body ({message, code, issues}) around our formatter's
 * shape. Rather than fork its adapter, the answer is rewritten on its way out into our envelope;
 * the formatter already put every field we need under `data`.
 */
function rewriteErrorBodies(req: Request, res: Response): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (res.statusCode >= 400 && typeof chunk === "string") {
      const body = JSON.parse(chunk) as TrpcToOpenApiErrorBody;
      const data = body.data ?? {};
      const envelope = errorEnvelope(
        {
          status: res.statusCode,
          error: data.error ?? "internal_error",
          message: data.message ?? body.message ?? "Error",
          ...(data.details !== undefined ? { details: data.details } : {}),
          ...(data.retry_after !== undefined ? { retryAfter: data.retry_after } : {}),
        },
        req.requestId,
      );
      const text = JSON.stringify(envelope);
      res.setHeader("content-length", Buffer.byteLength(text));
      return end(text, ...rest);
    }
    return end(chunk, ...rest);
  }) as Response["end"];
}

/**
 * A POST with nothing to send (`curl -X POST .../test`) has no content type, and trpc-to-openapi
 * refuses any body-taking method without application/json (415). An empty body is an empty
 * object; a body of another type still gets the 415.
 */
function acceptEmptyBody(req: Request): void {
  if (req.method === "GET" || req.method === "DELETE" || req.headers["content-type"] !== undefined) return;
  const length = req.headers["content-length"];
  const empty = req.headers["transfer-encoding"] === undefined && (length === undefined || length === "0");
  if (!empty) return;
  req.headers["content-type"] = "application/json";
  req.body = {};
}

/** The REST surface: every procedure with OpenAPI meta, at /api/<path>. */
export function restHandler(services: Services) {
  const handler = createOpenApiExpressMiddleware({
    router: appRouter,
    createContext: ({ req }) => {
      const ctx = createContextInner(services, apiChatMeta(req as Request));
      const principal = (req as Request).principal;
      return principal ? { ...ctx, principal } : ctx;
    },
    responseMeta: ({ ctx, errors }) => {
      const context = ctx as Context | undefined;
      const headers: Record<string, string> = { ...(context?.response.headers ?? {}) };
      const error = errors[0];
      if (error) {
        const fields = errorFields(error);
        Object.assign(headers, fields.headers);
        if (fields.retryAfter !== undefined) headers["retry-after"] = String(Math.ceil(fields.retryAfter));
        return { status: fields.status, headers };
      }
      return { status: context?.response.status ?? 200, headers };
    },
    onError: ({ error, req }) => {
      if (errorFields(error).status >= 500 || isDatabaseInputError(error)) {
        services.logger.error(
          { request_id: (req as Request).requestId, err: error.cause ?? error },
          "rest error",
        );
      }
    },
  });
  return (req: Request, res: Response, _next: NextFunction) => {
    // Streams are answered here, before trpc-to-openapi, which can only answer in one piece.
    if (isApiChatStream(req)) return handleApiChatStream(services, req, res);
    rewriteErrorBodies(req, res);
    acceptEmptyBody(req);
    return handler(req, res);
  };
}
