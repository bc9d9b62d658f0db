import type { ProviderId } from "../provider-ids";
import type { Usage } from "../usage";

/** egress_denied: the gateway refused to connect to a user-set base URL (see EgressGuard). */
export type ProviderErrorCode = "provider_error" | "provider_timeout" | "egress_denied";

export interface ProviderErrorInit {
  /** The provider's HTTP status when it answered with an error; 502 (bad answer) or 504 (timeout) otherwise. */
  status: number;
  code?: ProviderErrorCode;
  provider: ProviderId;
  /** Seconds, from the provider's retry-after. */
  retryAfter?: number;
  /** The provider's own error code/type (`invalid_api_key`, `overloaded_error`, `API_KEY_INVALID`...). */
  providerCode?: string;
  /** The HTTP status the provider answered with, if it answered at all. */
  upstreamStatus?: number;
  providerRequestId?: string;
  /** Usage known (or estimated) when a stream failed after producing output. */
  partialUsage?: Usage;
  cause?: unknown;
}

/** Any failure of a provider call. The message is the provider's own, with the API key scrubbed. */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly status: number;
  readonly code: ProviderErrorCode;
  readonly provider: ProviderId;
  readonly retryAfter?: number;
  readonly providerCode?: string;
  readonly upstreamStatus?: number;
  readonly providerRequestId?: string;
  partialUsage?: Usage;
  /** The message without the excerpt of the response body it quotes, for untrusted base URLs. */
  withoutBody?: string;

  constructor(message: string, init: ProviderErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code ?? "provider_error";
    this.provider = init.provider;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    if (init.providerCode !== undefined) this.providerCode = init.providerCode;
    if (init.upstreamStatus !== undefined) this.upstreamStatus = init.upstreamStatus;
    if (init.providerRequestId !== undefined) this.providerRequestId = init.providerRequestId;
    if (init.partialUsage !== undefined) this.partialUsage = init.partialUsage;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

/** What a provider's error body says, parsed by that provider's `parseError`. */
export interface ParsedProviderError {
  message?: string;
  providerCode?: string;
  /** The wait the body asks for when no retry-after header says it (Gemini's RetryInfo.retryDelay). */
  retryAfterMs?: number;
  /** The status the error really means when the provider's differs (Gemini's bad key: 400 → 401). */
  status?: number;
}

const REDACTED = "[REDACTED]";

/** Removes the secret from text a provider may have echoed it in. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join(REDACTED);
}

export function truncate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

export function malformedResponse(
  provider: ProviderId,
  detail: string,
  upstreamStatus?: number,
): ProviderError {
  return new ProviderError(`${provider} returned a malformed response: ${detail}`, {
    status: 502,
    provider,
    ...(upstreamStatus === undefined ? {} : { upstreamStatus }),
  });
}

/** JSON.parse that turns a syntax error into a 502 ProviderError (quoting the start of the body). */
export function parseProviderJson(
  provider: ProviderId,
  text: string,
  options: { secret?: string; upstreamStatus?: number } = {},
): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const snippet = truncate(JSON.stringify(scrubSecret(text.slice(0, 200), options.secret)), 120);
    const error = malformedResponse(provider, `invalid JSON ${snippet}`, options.upstreamStatus);
    error.withoutBody = `${provider} returned a malformed response: invalid JSON`;
    throw error;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}
