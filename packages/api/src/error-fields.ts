import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { ZodError } from "zod";
import { isDatabaseUnavailable } from "./database-errors";
import { ApiError, type ErrorCode } from "./errors";

export interface ErrorFields {
  status: number;
  error: ErrorCode | string;
  message: string;
  details?: unknown;
  retryAfter?: number;
  headers?: Record<string, string>;
}

const CODE_BY_TRPC: Partial<Record<TRPCError["code"], ErrorCode>> = {
  BAD_REQUEST: "validation_error",
  PARSE_ERROR: "validation_error",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not_found",
  CONFLICT: "conflict",
  PAYLOAD_TOO_LARGE: "payload_too_large",
  UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
  TOO_MANY_REQUESTS: "rate_limit_exceeded",
  METHOD_NOT_SUPPORTED: "not_found",
};

/** Zod issues in a form a client can act on: which field, and what is wrong with it. */
export function describeIssues(error: ZodError) {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
    code: issue.code,
  }));
}

/** A zod refusal as our 400: the first issue in the message, every issue in `details`. */
export function validationError(error: ZodError): ApiError {
  const details = describeIssues(error);
  const first = details[0];
  return new ApiError(
    "validation_error",
    first ? `Invalid ${first.field}: ${first.message}` : "Invalid input",
    {
      details,
    },
  );
}

/**
 * PostgreSQL errors that only bad input causes. Schemas refuse such input first; these catch what
 * a schema misses, so that a NUL byte or a huge number is a 400, not a 500. The message names
 * the kind of problem only: the database's own text (with its SQL and values) is never passed on.
 */
const INPUT_SQLSTATES: Record<string, string> = {
  "22021": "text contains a character that cannot be stored (such as NUL)",
  "22P05": "text contains a character that cannot be stored (such as NUL)",
  "22003": "a number is out of range",
  "22P02": "a value has the wrong format",
  "22001": "a value is too long",
  "22007": "a date or time has the wrong format",
  "22008": "a date or time is out of range",
  "2201X": "a paging value is out of range",
  "2201W": "a paging value is out of range",
  "54001": "a value is nested too deeply",
};

// pg and PGlite both throw pg-protocol's DatabaseError: an Error whose `name` is the protocol
// message ("error"), with the SQLSTATE in `code` and a `severity`.
function inputSqlState(value: unknown): string | undefined {
  if (!(value instanceof Error) || !("severity" in value)) return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === "string" && Object.hasOwn(INPUT_SQLSTATES, code) ? code : undefined;
}

/**
 * Whether PostgreSQL refused a value that no schema had refused first. The caller gets a 400,
 * but the gap is ours (and may come after side effects), so the servers log it as an error.
 */
export function isDatabaseInputError(thrown: unknown): boolean {
  return inputSqlState(isTrpcError(thrown) ? thrown.cause : thrown) !== undefined;
}

function databaseInputFields(thrown: unknown): ErrorFields | undefined {
  const error = isTrpcError(thrown) ? thrown.cause : thrown;
  const code = inputSqlState(error);
  if (code === undefined) return undefined;
  return { status: 400, error: "validation_error", message: `Invalid input: ${INPUT_SQLSTATES[code]}` };
}

// By name rather than instanceof: a second copy of @trpc/server in node_modules (peer-dependency
// variants) would make instanceof fail and turn every client error into a 500.
function isTrpcError(value: unknown): value is TRPCError {
  return value instanceof Error && value.name === "TRPCError" && "code" in value;
}

/**
 * Everything an error envelope needs, from whatever was thrown. Unknown errors become a bare
 * internal_error: their message may hold a secret or a stack, so it is never passed on.
 */
export function errorFields(thrown: unknown): ErrorFields {
  if (thrown instanceof ApiError) {
    return {
      status: thrown.status,
      error: thrown.error,
      message: thrown.message,
      ...(thrown.details !== undefined ? { details: thrown.details } : {}),
      ...(thrown.retryAfter !== undefined ? { retryAfter: thrown.retryAfter } : {}),
      ...(thrown.headers !== undefined ? { headers: thrown.headers } : {}),
    };
  }
  if (isTrpcError(thrown)) {
    if (thrown.cause instanceof ApiError) return errorFields(thrown.cause);
    if (thrown.cause instanceof ZodError) return errorFields(validationError(thrown.cause));
    // Input that overflows the stack while it is parsed (nested thousands deep): the cause's
    // message ("Maximum call stack size exceeded") says nothing a client can act on.
    if (thrown.code === "BAD_REQUEST" && thrown.cause instanceof RangeError) {
      return { status: 400, error: "validation_error", message: "Invalid input: nested too deeply" };
    }
    const error = CODE_BY_TRPC[thrown.code];
    if (error) return { status: getHTTPStatusCodeFromError(thrown), error, message: thrown.message };
  }
  if (isDatabaseUnavailable(thrown)) {
    return {
      status: 503,
      error: "database_unavailable",
      message: "The database is unavailable; try again shortly",
    };
  }
  const databaseInput = databaseInputFields(thrown);
  if (databaseInput) return databaseInput;
  return { status: 500, error: "internal_error", message: "Internal server error" };
}
