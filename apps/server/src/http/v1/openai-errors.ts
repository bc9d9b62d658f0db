import type { ServerResponse } from "node:http";
import type { ErrorFields } from "@llmg/api";
import { sendJson } from "../send-json";

const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "insufficient_quota",
  403: "permission_error",
  404: "not_found_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
};

/** OpenAI's error object, so the official SDKs raise their usual typed errors. */
export function openAiErrorBody(fields: ErrorFields, requestId: string) {
  const details = Array.isArray(fields.details) ? (fields.details as { field?: string }[]) : undefined;
  return {
    error: {
      message: fields.message,
      type: TYPE_BY_STATUS[fields.status] ?? (fields.status >= 500 ? "api_error" : "invalid_request_error"),
      param: details?.[0]?.field ?? null,
      code: fields.error,
      request_id: requestId,
      ...(fields.retryAfter !== undefined ? { retry_after: fields.retryAfter } : {}),
    },
  };
}

export function sendOpenAiError(res: ServerResponse, fields: ErrorFields, requestId: string): void {
  if (fields.headers) for (const [name, value] of Object.entries(fields.headers)) res.setHeader(name, value);
  if (fields.retryAfter !== undefined) res.setHeader("retry-after", String(Math.ceil(fields.retryAfter)));
  sendJson(res, fields.status, openAiErrorBody(fields, requestId));
}
