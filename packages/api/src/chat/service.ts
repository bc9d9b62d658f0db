import {
  type Adjustment,
  type CallContext,
  type ChatResult,
  estimatePromptTokens,
  estimateRequestPromptTokens,
  formatAdjustments,
  GeneratedText,
  getAdapter,
  InvalidUsageError,
  maxCostFor,
  ProviderError,
  priceUsage,
  priceUsageConservatively,
  repairUsage,
  requestedMaxTokens,
  type StreamEvent,
  totalTokens,
  type Usage,
} from "@llmg/core";
import { ApiError } from "../errors";
import type { Services } from "../services";
import type { ResolvedCredential } from "../services/credential-resolver";
import { callOptions, endpointFor } from "../services/provider-endpoint";
import { MODEL_HEADER, routingHeaders, runAttempts } from "./attempts";
import type { CallOutcome, ChatCall, ChatCost } from "./call";
import type { Admission } from "./limits";
import { fromProviderError } from "./provider-errors";
import { usageRow } from "./record";
import { streamAbortReason } from "./stream-abort";

/** Anthropic requires max_tokens; when neither the caller nor the catalog gives one, this is used. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

export interface Prepared {
  credential: ResolvedCredential;
  admission: Admission;
  context: CallContext;
}

export interface CompletedChat {
  result: ChatResult;
  /** The model that answered, as the caller or its route named it (set when it could vary). */
  answeredBy?: { label: string; model: ChatCall["model"] };
  usage: Usage;
  cost: ChatCost;
  latencyMs: number;
  headers: Record<string, string>;
}

export interface StreamedChat {
  /** As CompletedChat's. */
  answeredBy?: { label: string; model: ChatCall["model"] };
  usage: Usage;
  cost: ChatCost;
  finishReason: string;
  latencyMs: number;
  ttftMs: number | null;
  headers: Record<string, string>;
}

const elapsed = (startedAt: number) => performance.now() - startedAt;

export const ADJUSTED_PARAMS_HEADER = "x-llmg-adjusted-params";

/**
 * The call as the provider will get it: the model's parameter rules and the provider's field
 * support applied (adapter.adjust), and what changed, as the x-llmg-adjusted-params value.
 */
export function adjusted(call: ChatCall): { call: ChatCall; header: string | undefined } {
  const result = getAdapter(call.model.provider).adjust(call.request, call.model);
  // Fields the surface did not route are dropped like the ones the provider cannot map.
  const changes = call.ignoredFields?.length
    ? [
        ...call.ignoredFields.map(
          (param): Adjustment => ({
            param,
            action: "dropped",
            reason: "not a field this surface routes",
          }),
        ),
        ...result.adjusted,
      ]
    : result.adjusted;
  return {
    call: result.request === call.request ? call : { ...call, request: result.request },
    header: changes.length > 0 ? formatAdjustments(changes) : undefined,
  };
}

export function withAdjusted(
  headers: Record<string, string>,
  header: string | undefined,
): Record<string, string> {
  return header === undefined ? headers : { ...headers, [ADJUSTED_PARAMS_HEADER]: header };
}

function maxOutputTokens(call: ChatCall): number {
  return requestedMaxTokens(call.request) ?? call.model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
}

/**
 * Records the failed call and hands back the error to throw. A failure to record is logged, not
 * thrown over the original error: the caller must learn why its call failed.
 */
export async function failed(
  services: Services,
  call: ChatCall,
  startedAt: number,
  error: unknown,
  extra: Partial<CallOutcome> = {},
) {
  const apiError = fromProviderError(error);
  // The credential's circuit learns how its call ended (only provider failures count).
  if (extra.credentialId) {
    await services.credentials.report(call.principal.userId, call.model.provider, extra.credentialId, error);
  }
  const outcome: CallOutcome = {
    status: "error",
    httpStatus: apiError.status,
    errorCode: apiError.error,
    errorMessage: apiError.message,
    latencyMs: elapsed(startedAt),
    ...extra,
  };
  await services.usage.record(usageRow(services, call, outcome)).catch((err: unknown) => {
    services.logger.error(
      { request_id: call.meta.requestId, err: (err as Error).message },
      "usage row of a failed call lost",
    );
  });
  return apiError;
}

/**
 * Settles the reservation to the real cost and commits the usage row. The two are independent
 * round trips (Redis, PostgreSQL), so they run side by side rather than one after the other.
 */
export async function succeeded(
  services: Services,
  call: ChatCall,
  admission: Admission,
  outcome: Omit<CallOutcome, "status" | "httpStatus"> & { usage: Usage; cost: ChatCost },
): Promise<void> {
  await Promise.all([
    admission.settle(outcome.cost.totalCost, totalTokens(outcome.usage)),
    outcome.credentialId
      ? services.credentials.report(call.principal.userId, call.model.provider, outcome.credentialId)
      : undefined,
    services.usage.record(usageRow(services, call, { status: "success", httpStatus: 200, ...outcome })),
  ]);
}

export interface Priced {
  /** The usage as billed: the provider's, or its repair when the cost engine refused it. */
  usage: Usage;
  cost: ChatCost;
  /** Set when the provider's usage was refused and repaired: marks the row (error_code invalid_usage). */
  invalid?: { errorCode: "invalid_usage"; errorMessage: string };
}

/**
 * Prices the provider's usage. A report the cost engine refuses (negative, fractional, cached
 * more than prompt...) must not turn a call the provider has already billed into a lost one:
 * it is repaired, priced at the dearest rates, and the call goes on, its row flagged
 * (usage_estimated, error_code "invalid_usage"). Any other pricing failure is thrown.
 */
export function price(services: Services, call: ChatCall, usage: Usage): Priced {
  try {
    const cost = priceUsage(call.model, usage);
    return {
      usage,
      cost: { promptCost: cost.promptCost, completionCost: cost.completionCost, totalCost: cost.totalCost },
    };
  } catch (error) {
    if (!(error instanceof InvalidUsageError)) throw error;
    const repaired = repairUsage(usage);
    const cost = priceUsageConservatively(call.model, repaired);
    services.logger.warn(
      { request_id: call.meta.requestId, provider: call.model.provider, err: error.message },
      "provider usage refused by the cost engine; billed at the dearest rates",
    );
    return {
      usage: repaired,
      cost: { promptCost: cost.promptCost, completionCost: cost.completionCost, totalCost: cost.totalCost },
      invalid: { errorCode: "invalid_usage", errorMessage: error.message },
    };
  }
}

/**
 * Credential, then limits: everything that can refuse a call before the provider is paid.
 * `bounds` replaces the estimate from `call.request` for a surface whose body is not in our shape
 * (the native Anthropic one estimates from its own).
 */
export async function prepare(
  services: Services,
  call: ChatCall,
  startedAt: number,
  bounds?: { promptTokens: number; maxOutputTokens: number },
): Promise<Prepared> {
  // First, so a call refused for a usage backlog leaves no row and no reservation behind.
  await services.usage.admit();
  let credential: ResolvedCredential | undefined;
  try {
    credential = await services.credentials.resolve(call.principal.userId, call.model.provider);
  } catch (error) {
    // Every credential's circuit is open: refused (and recorded) without calling the provider.
    throw await failed(services, call, startedAt, error);
  }
  if (!credential) {
    throw await failed(
      services,
      call,
      startedAt,
      new ApiError(
        "credential_missing",
        `No ${call.model.provider} credential: add one with POST /api/credentials before calling ${call.model.provider} models`,
        { details: [{ field: "provider", message: "no credential for this provider" }] },
      ),
    );
  }
  const maxOut = bounds?.maxOutputTokens ?? maxOutputTokens(call);
  const promptTokens =
    bounds?.promptTokens ??
    estimateRequestPromptTokens(call.request, {
      provider: call.model.provider,
      model: call.request.model,
    });
  let admission: Admission;
  try {
    admission = await services.limiter.admit({
      principal: call.principal,
      model: { provider: call.model.provider, id: call.model.id },
      attribution: call.attribution,
      maxCostUsd: maxCostFor(call.model, promptTokens, maxOut),
      maxTokens: promptTokens + maxOut,
    });
  } catch (error) {
    throw await failed(services, call, startedAt, error, { credentialId: credential.id });
  }
  const { config } = services;
  return {
    credential,
    admission,
    context: {
      apiKey: credential.apiKey,
      ...endpointFor(services, call.model.provider, credential.baseUrl),
      defaultMaxTokens: maxOut,
      ...callOptions(config),
    },
  };
}

/** The whole non-streaming call: limits, provider, price, durable record. */
export function completeChat(services: Services, call: ChatCall): Promise<CompletedChat> {
  const { inflight } = services;
  const run = call.routing ? completeRouted : complete;
  return inflight ? inflight.track((signal) => run(services, call, signal)) : run(services, call);
}

/** A call that may fall back: each attempt a whole call of its own (see attempts.ts). */
async function completeRouted(
  services: Services,
  call: ChatCall,
  shutdown?: AbortSignal,
): Promise<CompletedChat> {
  const done = await runAttempts(call, (attempt) => complete(services, attempt, shutdown));
  const label = done.call.label ?? done.call.model.id;
  return {
    ...done.result,
    answeredBy: { label, model: done.call.model },
    headers: { ...done.result.headers, ...routingHeaders(call, done.attempts), [MODEL_HEADER]: label },
  };
}

async function complete(
  services: Services,
  original: ChatCall,
  shutdown?: AbortSignal,
): Promise<CompletedChat> {
  const startedAt = performance.now();
  const { call, header } = adjusted(original);
  const prepared = await prepare(services, call, startedAt);
  const { admission, credential } = prepared;
  let result: ChatResult;
  try {
    result = await getAdapter(call.model.provider).chat(
      call.request,
      shutdown ? { ...prepared.context, signal: shutdown } : prepared.context,
    );
  } catch (error) {
    // An answer the provider billed but we refuse (e.g. Gemini's MALFORMED_FUNCTION_CALL) carries
    // its usage: it is charged like a stream that failed midway.
    const partial = error instanceof ProviderError ? error.partialUsage : undefined;
    if (partial) {
      return await finishWithError(services, call, startedAt, error, admission, credential.id, partial, null);
    }
    await admission.release();
    throw await failed(services, call, startedAt, error, { credentialId: credential.id });
  }
  let priced: Priced;
  try {
    priced = price(services, call, result.usage);
  } catch (error) {
    await admission.release();
    throw await failed(services, call, startedAt, error, { credentialId: credential.id });
  }
  const { usage, cost } = priced;
  const latencyMs = elapsed(startedAt);
  await succeeded(services, call, admission, {
    credentialId: credential.id,
    usage,
    cost,
    latencyMs,
    responseBody: result,
    ...priced.invalid,
  });
  return { result, usage, cost, latencyMs, headers: withAdjusted(admission.headers, header) };
}

export interface StreamSink {
  /** Called once before the first event, when the call has been admitted and the provider answered. */
  onStart(headers: Record<string, string>): void;
  /**
   * Passes one event on. A promise means the client's socket is full: no more is read from the
   * provider until it settles (backpressure), and a client that stays full until the stream
   * deadline ends the call. Undefined when the client can take more at once (the fast path).
   */
  onEvent(event: StreamEvent): Promise<void> | undefined;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/**
 * A streaming call. Events are passed on as they come; the usage row is committed before this
 * resolves, so the caller can hold the stream's last line until the call is durably recorded.
 * A client that leaves mid-stream still gets its partial usage recorded and charged.
 */
export function streamChat(services: Services, call: ChatCall, sink: StreamSink): Promise<StreamedChat> {
  const { inflight } = services;
  const run = call.routing ? streamRouted : stream;
  return inflight
    ? inflight.track((shutdown) => run(services, call, sink, shutdown))
    : run(services, call, sink);
}

/**
 * A streamed call that may fall back: only until the first event reaches the client (after
 * that, its answer has begun and another model's cannot replace it).
 */
async function streamRouted(
  services: Services,
  call: ChatCall,
  sink: StreamSink,
  shutdown?: AbortSignal,
): Promise<StreamedChat> {
  let started = false;
  let current = call;
  const tracked: StreamSink = {
    signal: sink.signal,
    onEvent: (event) => sink.onEvent(event),
    onStart(headers) {
      started = true;
      const label = current.label ?? current.model.id;
      sink.onStart({ ...headers, ...routingHeaders(call, current.attempt?.n ?? 1), [MODEL_HEADER]: label });
    },
  };
  const done = await runAttempts(
    call,
    (attempt) => {
      current = attempt;
      return stream(services, attempt, tracked, shutdown);
    },
    () => !started && !sink.signal.aborted,
  );
  return {
    ...done.result,
    answeredBy: { label: done.call.label ?? done.call.model.id, model: done.call.model },
  };
}

async function stream(
  services: Services,
  original: ChatCall,
  sink: StreamSink,
  shutdown?: AbortSignal,
): Promise<StreamedChat> {
  const startedAt = performance.now();
  const { call, header } = adjusted(original);
  // Either the client leaving or the shutdown's grace ending stops the upstream call.
  const signal = shutdown ? AbortSignal.any([sink.signal, shutdown]) : sink.signal;
  const prepared = await prepare(services, call, startedAt);
  const { admission, credential } = prepared;
  let ttftMs: number | null = null;
  let started = false;
  let done: Extract<StreamEvent, { type: "done" }> | undefined;
  const streamedText = new GeneratedText();
  // The client's share of the stream deadline: waiting for it to read ends there too.
  const streamEndsAt = startedAt + services.config.LLMG_PROVIDER_STREAM_TIMEOUT_MS;
  let stalled = false;
  const events = getAdapter(call.model.provider).chatStream(call.request, {
    ...prepared.context,
    signal,
  });
  try {
    for await (const event of events) {
      if (!started) {
        started = true;
        sink.onStart(withAdjusted(admission.headers, header));
      }
      if (event.type === "done") {
        done = event;
        break;
      }
      ttftMs ??= elapsed(startedAt);
      if (event.content) streamedText.append(event.content);
      const pending = sink.onEvent(event);
      if (pending && !(await settlesBefore(pending, streamEndsAt))) {
        stalled = true;
        break;
      }
      if (signal.aborted) break;
    }
  } catch (error) {
    // Aborting the upstream request when the client leaves surfaces here as an error too.
    if (!signal.aborted) {
      const partial = error instanceof ProviderError ? error.partialUsage : undefined;
      return await finishWithError(
        services,
        call,
        startedAt,
        error,
        admission,
        credential.id,
        partial,
        ttftMs,
      );
    }
  }
  if (!done) {
    // The client left: what the provider produced until then is charged. The adapter knows the
    // prompt counts some providers report up front; the text we passed on is the fallback.
    const partial: Usage = events.usageSoFar() ?? {
      promptTokens: estimatePromptTokens(call.request.messages),
      completionTokens: streamedText.tokens(),
      cachedReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    };
    // A shutdown's abort is the server's doing: recorded as such, and told to a client still there.
    const { reason: aborted, byShutdown } = streamAbortReason(services, sink.signal, shutdown, stalled);
    return await finishWithError(
      services,
      call,
      startedAt,
      aborted,
      admission,
      credential.id,
      partial,
      ttftMs,
      byShutdown ? undefined : "client_closed",
    );
  }
  let priced: Priced;
  try {
    priced = price(services, call, done.usage);
  } catch (error) {
    await admission.release();
    throw await failed(services, call, startedAt, error, { credentialId: credential.id, ttftMs });
  }
  const { usage, cost } = priced;
  const latencyMs = elapsed(startedAt);
  await succeeded(services, call, admission, {
    credentialId: credential.id,
    usage,
    cost,
    latencyMs,
    ttftMs,
    ...priced.invalid,
  });
  return {
    usage,
    cost,
    finishReason: done.finishReason,
    latencyMs,
    ttftMs,
    headers: withAdjusted(admission.headers, header),
  };
}

/** Whether `pending` settles before `endsAt` (a performance.now() time). */
export async function settlesBefore(pending: Promise<void>, endsAt: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, endsAt - performance.now()), false);
  });
  try {
    return await Promise.race([pending.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Charges what a failed call's provider already produced, records the row, throws the error. */
export async function finishWithError(
  services: Services,
  call: ChatCall,
  startedAt: number,
  error: unknown,
  admission: Admission,
  credentialId: string,
  partialUsage: Usage | undefined,
  ttftMs: number | null,
  errorCode?: string,
): Promise<never> {
  // Tokens the provider already produced are billed by it, so they are charged here too.
  let priced: Priced | undefined;
  try {
    priced = partialUsage ? price(services, call, partialUsage) : undefined;
  } catch (pricingError) {
    services.logger.error(
      { request_id: call.meta.requestId, err: (pricingError as Error).message },
      "partial usage of a failed call could not be priced; reservation released",
    );
  }
  if (priced) await admission.settle(priced.cost.totalCost, totalTokens(priced.usage));
  else await admission.release();
  const apiError = await failed(services, call, startedAt, error, {
    credentialId,
    ...(priced ? { usage: priced.usage, cost: priced.cost } : {}),
    ttftMs,
    ...(errorCode ? { errorCode } : {}),
  });
  throw apiError;
}
