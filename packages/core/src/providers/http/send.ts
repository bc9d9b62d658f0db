import { type IncomingHttpHeaders, STATUS_CODES } from "node:http";
import type { Dispatcher } from "undici";
import { EgressDeniedError, type EgressGuard } from "../../egress";
import type { ProviderId } from "../../provider-ids";
import { type ParsedProviderError, ProviderError, parseProviderJson, scrubSecret, truncate } from "../errors";
import {
  DEFAULT_STREAM_TIMEOUT_MS,
  type ResponseLimits,
  type RetryConfig,
  type TimeoutConfig,
} from "../types";
import { MAX_ERROR_BODY_BYTES, readPrefix, readText } from "./body";
import { getPool } from "./pool";
import { backoffDelay, parseRetryAfter, shouldRetry } from "./retry";
import { ResponseTooLarge } from "./too-large";

export interface HttpCall {
  provider: ProviderId;
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Scrubbed from every error message. */
  apiKey: string;
  timeouts: TimeoutConfig;
  retry: RetryConfig;
  /** Past these the call ends with a 502 and the rest of the answer is not read. */
  limits: ResponseLimits;
  signal?: AbortSignal;
  /** Reads the provider's error body. */
  parseError: (body: string) => ParsedProviderError;
  /** Response headers that carry the provider's request id, first match wins. */
  requestIdHeaders: readonly string[];
  /** For an untrusted URL: checks each connection, and keeps body bytes out of error texts. */
  egress?: EgressGuard;
}

interface ResponseMeta {
  status: number;
  headers: IncomingHttpHeaders;
  providerRequestId?: string;
}

export interface JsonResponse extends ResponseMeta {
  json: unknown;
}

export interface OpenStream extends ResponseMeta {
  body: AsyncIterable<Uint8Array>;
  /** Aborts the request if the body was not fully read (frees the connection) and releases timers. */
  close(): void;
  /** Turns an error thrown while reading the body into a ProviderError (or the caller's abort reason). */
  failure(error: unknown): unknown;
}

/** Connection errors worth another attempt (the request may not have reached the provider). */
const RETRYABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
]);

class DeadlineExceeded extends Error {
  override readonly name = "DeadlineExceeded";
}

/** The call's time budget, merged with the caller's abort signal into one signal for undici. */
class Deadline {
  readonly controller = new AbortController();
  private endsAt: number;
  private ms: number;
  expired = false;
  /** What the timeout means, for the error message. */
  what: string;
  private timer: NodeJS.Timeout | undefined;
  private hardTimer: NodeJS.Timeout | undefined;
  /**
   * True while the consumer of a stream holds a chunk (e.g. waits for a slow client): the idle
   * timeout measures the provider's silence, not ours, so it cannot fire meanwhile.
   */
  held = false;
  private readonly parent: AbortSignal | undefined;
  private readonly onParentAbort = () => this.controller.abort(this.parent?.reason);

  constructor(ms: number, parent: AbortSignal | undefined) {
    this.ms = ms;
    this.endsAt = Date.now() + ms;
    this.what = `did not respond within ${ms} ms`;
    this.parent = parent;
    this.timer = setTimeout(() => {
      if (this.held) this.timer?.refresh();
      else this.expire(this.what);
    }, ms);
    if (parent?.aborted) this.controller.abort(parent.reason);
    else parent?.addEventListener("abort", this.onParentAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get callerAborted(): boolean {
    return this.parent?.aborted === true;
  }

  private expire(what: string): void {
    if (this.expired) return;
    this.expired = true;
    this.what = what;
    this.controller.abort(new DeadlineExceeded(what));
  }

  /** A second, absolute deadline that neither touch() nor `held` postpones. */
  limitTotal(ms: number, what: string): void {
    this.hardTimer = setTimeout(() => this.expire(what), ms);
  }

  remaining(): number {
    return this.endsAt - Date.now();
  }

  /** From now on the timer fires after `ms` without a touch() (an idle timeout). */
  becomeIdleTimeout(what: string): void {
    this.what = what;
    this.touch();
  }

  touch(): void {
    this.endsAt = Date.now() + this.ms;
    this.timer?.refresh();
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.hardTimer);
    this.timer = undefined;
    this.hardTimer = undefined;
    this.parent?.removeEventListener("abort", this.onParentAbort);
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // undici wraps some socket errors; the interesting code is on the cause.
  return errorCode((error as { cause?: unknown }).cause);
}

function timeoutError(call: HttpCall, cause: unknown, what: string) {
  return new ProviderError(`${call.provider} ${what}`, {
    status: 504,
    code: "provider_timeout",
    provider: call.provider,
    cause,
  });
}

/** Maps an error from undici (before or while reading a response) to what the caller should see. */
function transportError(
  call: HttpCall,
  error: unknown,
  deadline: Deadline,
  phase: "request" | "body",
): { error: unknown; retryable: boolean } {
  if (deadline.expired) return { error: timeoutError(call, error, deadline.what), retryable: false };
  if (deadline.callerAborted) return { error: call.signal?.reason ?? error, retryable: false };
  if (error instanceof ProviderError) return { error, retryable: false };
  if (error instanceof EgressDeniedError) {
    return {
      error: new ProviderError(error.message, {
        status: 400,
        code: "egress_denied",
        provider: call.provider,
        cause: error,
      }),
      retryable: false,
    };
  }
  if (error instanceof ResponseTooLarge) {
    return {
      error: new ProviderError(`${call.provider} ${error.message}`, { status: 502, provider: call.provider }),
      retryable: false,
    };
  }
  const code = errorCode(error);
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return {
      error: timeoutError(call, error, `connect timed out after ${call.timeouts.connectMs} ms`),
      retryable: phase === "request",
    };
  }
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return { error: timeoutError(call, error, deadline.what), retryable: false };
  }
  const detail = error instanceof Error ? error.message : String(error);
  const message =
    phase === "request"
      ? `${call.provider} connection failed: ${code ?? detail}`
      : `${call.provider} connection closed while reading the response: ${code ?? detail}`;
  return {
    error: new ProviderError(scrubSecret(message, call.apiKey), {
      status: 502,
      provider: call.provider,
      cause: error,
    }),
    retryable: phase === "request" && code !== undefined && RETRYABLE_CODES.has(code),
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function requestIdOf(call: HttpCall, headers: IncomingHttpHeaders): string | undefined {
  for (const name of call.requestIdHeaders) {
    const value = header(headers, name);
    if (value) return value;
  }
  return undefined;
}

/**
 * An untrusted URL may be an internal service the allow list admits: its error says the status,
 * the reason phrase and at most a short message parsed from the provider's error shape, never raw
 * bytes of the body.
 */
function untrustedErrorText(status: number, parsed: ParsedProviderError): string {
  const reason = STATUS_CODES[status];
  const head = reason ? `HTTP ${status} ${reason}` : `HTTP ${status}`;
  return parsed.message ? `${head}: ${truncate(parsed.message, UNTRUSTED_MESSAGE_MAX)}` : head;
}

const UNTRUSTED_MESSAGE_MAX = 200;

interface HttpFailure {
  error: ProviderError;
  /** The wait the provider asked for: its retry-after header, else what its error body says. */
  retryAfterMs: number | undefined;
}

async function httpError(call: HttpCall, response: Dispatcher.ResponseData): Promise<HttpFailure> {
  let text = "";
  try {
    // Only quoted, and only its start: a provider's endless error body is not read past this.
    text = await readPrefix(response.body, Math.min(MAX_ERROR_BODY_BYTES, call.limits.maxResponseBytes));
  } catch {
    // The status alone says enough.
  }
  let parsed: ParsedProviderError = {};
  try {
    parsed = call.parseError(text);
  } catch {
    // Not the documented error shape: fall back to the raw text.
  }
  const upstreamStatus = response.statusCode;
  const raw = call.egress
    ? untrustedErrorText(upstreamStatus, parsed)
    : (parsed.message ?? (text.trim() === "" ? `HTTP ${upstreamStatus}` : truncate(text.trim())));
  const retryAfterMs = parseRetryAfter(response.headers) ?? parsed.retryAfterMs;
  const requestId = requestIdOf(call, response.headers);
  const error = new ProviderError(scrubSecret(raw, call.apiKey), {
    status: parsed.status ?? upstreamStatus,
    provider: call.provider,
    upstreamStatus,
    ...(parsed.providerCode === undefined ? {} : { providerCode: parsed.providerCode }),
    ...(retryAfterMs === undefined ? {} : { retryAfter: Math.ceil(retryAfterMs / 1000) }),
    ...(requestId === undefined ? {} : { providerRequestId: requestId }),
  });
  return { error, retryAfterMs };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Sends the request until it gets a 2xx: retries 408/429/5xx answers and connection failures with
 * full-jitter backoff, or after the provider's retry-after when it sent one. A retry-after beyond
 * `maxDelayMs`, or a wait that would overrun the deadline, ends the retries with the last error.
 */
async function send(call: HttpCall, deadline: Deadline): Promise<Dispatcher.ResponseData> {
  const url = new URL(call.url);
  const options: Dispatcher.RequestOptions = {
    method: call.method,
    path: `${url.pathname}${url.search}`,
    headers: call.headers,
    body: call.body ?? null,
    signal: deadline.signal,
    headersTimeout: call.timeouts.totalMs,
    bodyTimeout: call.timeouts.totalMs,
  };
  for (let attempt = 0; ; attempt++) {
    const canRetry = attempt < call.retry.maxRetries;
    let response: Dispatcher.ResponseData;
    try {
      // Per attempt: a bounded untrusted pool may have been closed while this call backed off.
      response = await getPool(url.origin, call.timeouts.connectMs, call.egress).request(options);
    } catch (caught) {
      const { error, retryable } = transportError(call, caught, deadline, "request");
      const delay = backoffDelay(attempt, call.retry);
      if (!(retryable && canRetry && delay < deadline.remaining())) throw error;
      await wait(call, delay, deadline);
      continue;
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return response;

    const { error, retryAfterMs: asked } = await httpError(call, response);
    if (!(canRetry && shouldRetry(response.statusCode, response.headers))) throw error;
    if (asked !== undefined && asked > call.retry.maxDelayMs) throw error;
    const delay = asked ?? backoffDelay(attempt, call.retry);
    if (delay >= deadline.remaining()) throw error;
    await wait(call, delay, deadline);
  }
}

async function wait(call: HttpCall, ms: number, deadline: Deadline): Promise<void> {
  try {
    await sleep(ms, deadline.signal);
  } catch (caught) {
    throw transportError(call, caught, deadline, "request").error;
  }
}

function meta(call: HttpCall, response: Dispatcher.ResponseData): ResponseMeta {
  const providerRequestId = requestIdOf(call, response.headers);
  return {
    status: response.statusCode,
    headers: response.headers,
    ...(providerRequestId === undefined ? {} : { providerRequestId }),
  };
}

/** A non-streaming call: one deadline over retries, backoff and reading the body. */
export async function requestJson(call: HttpCall): Promise<JsonResponse> {
  const deadline = new Deadline(call.timeouts.totalMs, call.signal);
  try {
    const response = await send(call, deadline);
    let text: string;
    try {
      text = await readText(response.body, response.headers, call.limits.maxResponseBytes);
    } catch (caught) {
      throw transportError(call, caught, deadline, "body").error;
    }
    const json = parseProviderJson(call.provider, text, {
      secret: call.apiKey,
      upstreamStatus: response.statusCode,
    });
    return { ...meta(call, response), json };
  } finally {
    deadline.dispose();
  }
}

/** Like requestJson but discards the body (credential tests only need the status). */
export async function requestStatus(call: HttpCall): Promise<ResponseMeta> {
  const deadline = new Deadline(call.timeouts.totalMs, call.signal);
  try {
    const response = await send(call, deadline);
    await response.body.dump().catch(() => undefined);
    return meta(call, response);
  } finally {
    deadline.dispose();
  }
}

/**
 * A streaming call: retried like the others until the response headers arrive, never after.
 * From then on `timeouts.totalMs` is the longest allowed silence between two chunks, and the
 * whole call ends at `timeouts.streamMs` or after `limits.maxStreamBytes`, whichever comes first.
 */
export async function openStream(call: HttpCall): Promise<OpenStream> {
  const deadline = new Deadline(call.timeouts.totalMs, call.signal);
  const streamMs = call.timeouts.streamMs ?? DEFAULT_STREAM_TIMEOUT_MS;
  deadline.limitTotal(streamMs, `stream did not end within ${streamMs} ms`);
  let response: Dispatcher.ResponseData;
  try {
    response = await send(call, deadline);
  } catch (error) {
    deadline.dispose();
    throw error;
  }
  deadline.becomeIdleTimeout(`stream was silent for more than ${call.timeouts.totalMs} ms`);
  const body = response.body;
  const maxBytes = call.limits.maxStreamBytes;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let received = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) throw new ResponseTooLarge("stream", maxBytes);
      deadline.held = true;
      yield chunk;
      deadline.held = false;
      deadline.touch();
    }
  }
  return {
    ...meta(call, response),
    body: chunks(),
    close() {
      if (!body.destroyed) body.destroy();
      deadline.dispose();
    },
    failure: (error) => transportError(call, error, deadline, "body").error,
  };
}
