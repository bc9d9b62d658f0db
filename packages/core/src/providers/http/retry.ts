import type { IncomingHttpHeaders } from "node:http";
import type { RetryConfig } from "../types";

/**
 * 408, 409 (lock timeout), 429 and every 5xx (Anthropic's 529 "overloaded" included): the statuses
 * the official OpenAI and Anthropic SDKs retry (openai-node / anthropic-sdk-typescript
 * `src/client.ts` shouldRetry).
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether an error answer is worth retrying. The provider's explicit `x-should-retry: true|false`
 * wins over the status, as in the official SDKs' shouldRetry (openai-node and
 * anthropic-sdk-typescript `src/client.ts`: "Note this is not a standard header").
 */
export function shouldRetry(status: number, headers: IncomingHttpHeaders): boolean {
  const explicit = header(headers, "x-should-retry");
  if (explicit === "true") return true;
  if (explicit === "false") return false;
  return isRetryableStatus(status);
}

/**
 * The wait a provider asked for, in ms: OpenAI's `retry-after-ms`, else `retry-after` as seconds
 * (fractions tolerated) or an HTTP date. Undefined when absent or unparsable.
 */
export function parseRetryAfter(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  const ms = header(headers, "retry-after-ms")?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = header(headers, "retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date names its weekday and month; this keeps Date.parse from reading "-1" as a year.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full-jitter exponential backoff: uniform in [0, min(maxDelayMs, baseDelayMs * 2^attempt)). */
export function backoffDelay(
  attempt: number,
  config: RetryConfig,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
