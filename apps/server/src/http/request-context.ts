import type { IncomingMessage, ServerResponse } from "node:http";
import { timeOrderedId } from "@llmg/db";
import type { NextFunction, Request, Response } from "express";
import type { AppLogger } from "../logger";

declare global {
  namespace Express {
    interface Request {
      requestId: string;
    }
  }
}

export const REQUEST_ID_HEADER = "x-llmg-request-id";

export function newRequestId(): string {
  return timeOrderedId("req");
}

/**
 * Gives a request its id, echoes it, and logs one line when the answer is sent. Shared by the
 * express middleware and the chat fast path, so both log alike.
 */
export function beginRequest(
  logger: AppLogger,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): string {
  const started = process.hrtime.bigint();
  const requestId = newRequestId();
  res.setHeader(REQUEST_ID_HEADER, requestId);
  res.on("finish", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.info(
      {
        request_id: requestId,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(ms * 100) / 100,
      },
      "request",
    );
  });
  return requestId;
}

export function requestContext(logger: AppLogger) {
  return (req: Request, res: Response, next: NextFunction) => {
    req.requestId = beginRequest(logger, req, res, req.path);
    next();
  };
}
