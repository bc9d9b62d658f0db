import type { ErrorEnvelope, ErrorFields } from "@llmg/api";
import type { Response } from "express";

export function errorEnvelope(fields: ErrorFields, requestId: string): ErrorEnvelope {
  return {
    success: false,
    error: fields.error,
    message: fields.message,
    request_id: requestId,
    ...(fields.details !== undefined ? { details: fields.details } : {}),
    ...(fields.retryAfter !== undefined ? { retry_after: fields.retryAfter } : {}),
  };
}

export function sendError(res: Response, fields: ErrorFields, requestId: string): void {
  if (fields.headers) res.set(fields.headers);
  if (fields.retryAfter !== undefined) res.setHeader("retry-after", String(Math.ceil(fields.retryAfter)));
  res.status(fields.status).json(errorEnvelope(fields, requestId));
}
