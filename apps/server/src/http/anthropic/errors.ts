import type { ServerResponse } from "node:http";
import { ApiError, type ErrorFields, errorFields } from "@llmg/api";
import { ProviderError } from "@llmg/core";
import { sendJson } from "../send-json";

/**
 * Anthropic's error types by status (anthropic-sdk-typescript src/resources/shared.ts ErrorType;
 * https://docs.claude.com/en/api/errors). Our budget refusal is a 402 billing_error: the SDK
 * raises PaymentRequiredError for it and does not retry, as for Anthropic's own "cannot bill" —
 * a 400 or 429 would be retried or misread. Rate limits stay 429 rate_limit_error with
 * retry-after, which the SDK and Claude Code honour.
 */
const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const ANTHROPIC_TYPES = new Set([...Object.values(TYPE_BY_STATUS), "api_error"]);

/** Anthropic's own type when the error is Anthropic's, passed back as it came; else by status. */
function errorType(fields: ErrorFields): string {
  const details = fields.details as { provider?: unknown; provider_code?: unknown } | undefined;
  const code = details?.provider === "anthropic" ? details.provider_code : undefined;
  if (typeof code === "string" && ANTHROPIC_TYPES.has(code)) return code;
  return TYPE_BY_STATUS[fields.status] ?? (fields.status >= 500 ? "api_error" : "invalid_request_error");
}

/**
 * The fields of an error on this surface: Anthropic's own refusal keeps its message word for word
 * (the chat surfaces prefix it with "anthropic: ", here the client is talking to Anthropic).
 */
export function anthropicErrorFields(error: unknown): ErrorFields {
  const fields = errorFields(error);
  const cause = error instanceof ApiError ? error.cause : undefined;
  // providerCode: the error's type, from Anthropic's own error body or stream event.
  if (cause instanceof ProviderError && cause.provider === "anthropic" && cause.providerCode !== undefined) {
    return { ...fields, message: cause.message };
  }
  return fields;
}

/** `{"type":"error","error":{"type","message"},"request_id"}` (ErrorResponse). */
export function anthropicErrorBody(fields: ErrorFields, requestId: string) {
  return {
    type: "error",
    error: { type: errorType(fields), message: fields.message },
    request_id: requestId,
  };
}

export function sendAnthropicError(res: ServerResponse, fields: ErrorFields, requestId: string): void {
  if (fields.headers) for (const [name, value] of Object.entries(fields.headers)) res.setHeader(name, value);
  if (fields.retryAfter !== undefined) res.setHeader("retry-after", String(Math.ceil(fields.retryAfter)));
  sendJson(res, fields.status, anthropicErrorBody(fields, requestId));
}

/** An error once a stream has begun: Anthropic's `error` event (ErrorResponse as its data). */
export function anthropicErrorEvent(fields: ErrorFields, requestId: string): string {
  return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(fields, requestId))}\n\n`;
}
