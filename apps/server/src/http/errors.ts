import { errorFields } from "@llmg/api";
import type { NextFunction, Request, Response } from "express";
import type { AppLogger } from "../logger";
import { sendError } from "./envelope";

interface BodyParserError {
  type?: string;
  status?: number;
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
    const parserError = err as BodyParserError;
    if (parserError.type === "entity.too.large") {
      return sendError(
        res,
        { status: 413, error: "payload_too_large", message: "Request body too large" },
        req.requestId,
      );
    }
    if (parserError.type === "entity.parse.failed") {
      return sendError(
        res,
        { status: 400, error: "validation_error", message: "Malformed JSON body" },
        req.requestId,
      );
    }
    if (parserError.type === "encoding.unsupported" || parserError.type === "charset.unsupported") {
      return sendError(
        res,
        { status: 415, error: "unsupported_media_type", message: "Unsupported body encoding" },
        req.requestId,
      );
    }
    const fields = errorFields(err);
    if (fields.status >= 500) logger.error({ request_id: req.requestId, err }, "unhandled error");
    sendError(res, fields, req.requestId);
  };
}
