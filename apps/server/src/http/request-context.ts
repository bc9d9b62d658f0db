import { randomBase62 } from "@llmg/db";
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
  return `req_${randomBase62(20)}`;
}

/** Gives every request an id, echoes it, and logs one line when the answer is sent. */
export function requestContext(logger: AppLogger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    req.requestId = newRequestId();
    res.setHeader(REQUEST_ID_HEADER, req.requestId);
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        {
          request_id: req.requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(ms * 100) / 100,
        },
        "request",
      );
    });
    next();
  };
}
