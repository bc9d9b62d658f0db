import { ApiError, type ErrorFields, errorFields, isDatabaseInputError } from "@llmg/api";
import type { NextFunction, Request, Response } from "express";
import type { AppLogger } from "../logger";
import { sendError } from "./envelope";

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/**
 * What body-parser's own errors answer with: every one of them is the client's fault (a body
 * too large, malformed, wrongly compressed, in an unknown charset, cut short), so a 4xx — never
 * the 500 an unknown error gets. Its messages are not passed on: a zlib one says nothing useful.
 */
export function bodyParserErrorFields(err: unknown): ErrorFields | undefined {
  if (err instanceof ApiError) return undefined;
  const parserError = err as BodyParserError;
  if (typeof parserError?.type !== "string" && parserError?.expose !== true) return undefined;
  if (parserError.type === "entity.too.large" || parserError.status === 413)
    return { status: 413, error: "payload_too_large", message: "Request body too large" };
  if (parserError.type === "entity.parse.failed")
    return { status: 400, error: "validation_error", message: "Malformed JSON body" };
  if (
    parserError.type === "encoding.unsupported" ||
    parserError.type === "charset.unsupported" ||
    parserError.status === 415
  )
    return { status: 415, error: "unsupported_media_type", message: "Unsupported body encoding" };
  const status = parserError.status;
  if (typeof status === "number" && status >= 400 && status < 500)
    return { status: 400, error: "validation_error", message: "Malformed request" };
  return undefined;
}

/** Unknown routes answer the envelope too, not express's HTML page. */
export function notFoundHandler(req: Request, res: Response): void {
  sendError(
    res,
    { status: 404, error: "not_found", message: `No route for ${req.method} ${req.path}` },
    req.requestId,
  );
}

/** The last word on any error: an envelope, never a stack. */
export function errorHandler(logger: AppLogger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const parserFields = bodyParserErrorFields(err);
    if (parserFields) return sendError(res, parserFields, req.requestId);
    const fields = errorFields(err);
    if (fields.status >= 500 || isDatabaseInputError(err))
      logger.error({ request_id: req.requestId, err }, "unhandled error");
    sendError(res, fields, req.requestId);
  };
}
