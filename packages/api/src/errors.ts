import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/** Our error codes and the HTTP status each answers with (the envelope's `error` field). */
export const ERROR_STATUS = {
  validation_error: 400,
  credential_missing: 400,
  egress_denied: 400,
  unauthorized: 401,
  /** The key is known but past its expires_at. */
  key_expired: 401,
  budget_exceeded: 402,
  forbidden: 403,
  account_disabled: 403,
  /** The key lacks the scope the route needs (chat, read, manage). */
  insufficient_scope: 403,
  /** The model is outside the key's allowed_models. */
  model_not_allowed: 403,
  /** A budget applies to the call and its model has no price: it would be booked at $0. */
  model_unpriced: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limit_exceeded: 429,
  /** The key already has max_parallel calls in flight. */
  concurrency_limit_exceeded: 429,
  internal_error: 500,
  provider_error: 502,
  limits_unavailable: 503,
  /** Every credential of the user for the provider has its circuit open: the provider is not called. */
  provider_unavailable: 503,
  /** The usage queue stayed full: a new call is refused before its provider is called. */
  usage_backlog: 503,
  /** The usage database could not take a finished call's row: no success is claimed for it. */
  usage_unavailable: 503,
  provider_timeout: 504,
  database_unavailable: 503,
  shutdown: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

const TRPC_CODE_BY_STATUS: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  402: "PAYMENT_REQUIRED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

/** The tRPC code a status answers with, so tRPC clients see the same class of error as REST ones. */
export function trpcCodeForStatus(status: number): TRPC_ERROR_CODE_KEY {
  return TRPC_CODE_BY_STATUS[status] ?? (status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST");
}

export interface ApiErrorOptions {
  status?: number;
  details?: unknown;
  retryAfter?: number;
  /** Headers the answer must carry even though it is an error (e.g. x-ratelimit-* on a 429). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The one error type procedures and services throw. It is a TRPCError so the tRPC adapters
 * handle it natively, and it carries our snake_case code and exact HTTP status for REST.
 */
export class ApiError extends TRPCError {
  readonly error: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly retryAfter: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(error: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    const status = options.status ?? ERROR_STATUS[error];
    super({
      code: trpcCodeForStatus(status),
      message,
      cause: options.cause,
    });
    this.error = error;
    this.status = status;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers;
  }
}

export const notFound = (what: string) => new ApiError("not_found", `${what} not found`);
