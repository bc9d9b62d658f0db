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

// The access line's fields are fixed and hold no secret, so it skips redaction, which clones
// every logged object: with it, the access line was the largest single source of a chat call's
// garbage (~10 KB of ~90 KB) and took twice the time.
const accessLoggers = new WeakMap<AppLogger, AppLogger>();

function accessLogger(logger: AppLogger): AppLogger {
  let access = accessLoggers.get(logger);
  if (!access) {
    access = logger.child({}, { redact: [] });
    accessLoggers.set(logger, access);
  }
  return access;
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
  const access = accessLogger(logger);
  const requestId = newRequestId();
  res.setHeader(REQUEST_ID_HEADER, requestId);
  // Every answer, errors and the chat fast path included: no browser may sniff a JSON error
  // or a streamed answer into HTML.
  res.setHeader("x-content-type-options", "nosniff");
  res.on("finish", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    access.info(
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
