import {
  anthropicNativeCountTokens,
  anthropicNativeMessage,
  anthropicNativeStream,
  ProviderError,
  type SseEvent,
  type Usage,
} from "@llmg/core";
import type { ChatCost } from "../chat/call";
import { fromProviderError } from "../chat/provider-errors";
import {
  failed,
  finishWithError,
  type Priced,
  prepare,
  price,
  settlesBefore,
  succeeded,
} from "../chat/service";
import { streamAbortReason } from "../chat/stream-abort";
import { ApiError } from "../errors";
import type { Services } from "../services";
import { callOptions, endpointFor } from "../services/provider-endpoint";
import type { AnthropicCall } from "./call";

/**
 * The native Messages API: the client's body goes to Anthropic as it is, and the answer comes back
 * as it is. Admission (credential, rate limits, budget reservation), pricing from Anthropic's
 * usage and the usage row are the chat service's own (chat/service.ts): a call here is refused,
 * reserved, charged and recorded exactly as the same call on /v1 would be.
 */

export interface NativeCompleted {
  /** Anthropic's Message, unchanged. */
  message: Record<string, unknown>;
  usage: Usage;
  cost: ChatCost;
  headers: Record<string, string>;
}

export interface NativeStreamed {
  usage: Usage;
  cost: ChatCost;
  headers: Record<string, string>;
  /** message_stop, held back until the call is recorded (see streamAnthropic). */
  last: SseEvent | undefined;
}

export interface NativeSink {
  /** Called once, before the first event, when the call was admitted and Anthropic answered. */
  onStart(headers: Record<string, string>): void;
  /** As StreamSink.onEvent: a promise means the client is full (backpressure). */
  onEvent(event: SseEvent): Promise<void> | undefined;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

const elapsed = (startedAt: number) => performance.now() - startedAt;

/** POST /v1/messages, not streamed. */
export function completeAnthropic(services: Services, native: AnthropicCall): Promise<NativeCompleted> {
  const { inflight } = services;
  return inflight
    ? inflight.track((shutdown) => complete(services, native, shutdown))
    : complete(services, native);
}

async function complete(
  services: Services,
  native: AnthropicCall,
  shutdown?: AbortSignal,
): Promise<NativeCompleted> {
  const startedAt = performance.now();
  const { call } = native;
  const prepared = await prepare(services, call, startedAt, native.bounds);
  const { admission, credential } = prepared;
  const context = shutdown ? { ...prepared.context, signal: shutdown } : prepared.context;
  let answer: Awaited<ReturnType<typeof anthropicNativeMessage>>;
  try {
    answer = await anthropicNativeMessage(native.body, context, native.beta ? { beta: native.beta } : {});
  } catch (error) {
    await admission.release();
    throw await failed(services, call, startedAt, error, { credentialId: credential.id });
  }
  let priced: Priced;
  try {
    priced = price(services, call, answer.usage);
  } catch (error) {
    await admission.release();
    throw await failed(services, call, startedAt, error, { credentialId: credential.id });
  }
  await succeeded(services, call, admission, {
    credentialId: credential.id,
    usage: priced.usage,
    cost: priced.cost,
    latencyMs: elapsed(startedAt),
    responseBody: answer.json,
    ...priced.invalid,
  });
  return { message: answer.json, usage: priced.usage, cost: priced.cost, headers: admission.headers };
}

/**
 * POST /v1/messages with `stream: true`: Anthropic's events passed on as they come, read for
 * their usage on the way. The closing message_stop is held back and returned once the usage row
 * is committed, so a client that saw the stream end knows its call is on the books. A client that
 * leaves aborts the upstream request and is still charged what Anthropic produced until then.
 */
export function streamAnthropic(
  services: Services,
  native: AnthropicCall,
  sink: NativeSink,
): Promise<NativeStreamed> {
  const { inflight } = services;
  return inflight
    ? inflight.track((shutdown) => stream(services, native, sink, shutdown))
    : stream(services, native, sink);
}

async function stream(
  services: Services,
  native: AnthropicCall,
  sink: NativeSink,
  shutdown?: AbortSignal,
): Promise<NativeStreamed> {
  const startedAt = performance.now();
  const { call } = native;
  const signal = shutdown ? AbortSignal.any([sink.signal, shutdown]) : sink.signal;
  const prepared = await prepare(services, call, startedAt, native.bounds);
  const { admission, credential } = prepared;
  const streamEndsAt = startedAt + services.config.LLMG_PROVIDER_STREAM_TIMEOUT_MS;
  const events = anthropicNativeStream(
    native.body,
    { ...prepared.context, signal },
    native.beta ? { beta: native.beta } : {},
  );
  let ttftMs: number | null = null;
  let started = false;
  let stalled = false;
  let last: SseEvent | undefined;
  const fail = (error: unknown, partial: Usage | undefined, code?: string) =>
    finishWithError(services, call, startedAt, error, admission, credential.id, partial, ttftMs, code);
  try {
    for await (const event of events) {
      if (!started) {
        started = true;
        sink.onStart(admission.headers);
      }
      if (events.finished) {
        last = event;
        break;
      }
      if (ttftMs === null && event.event === "content_block_delta") ttftMs = elapsed(startedAt);
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
      return await fail(error, error instanceof ProviderError ? error.partialUsage : undefined);
    }
  }
  if (!events.finished) {
    if (!signal.aborted && !stalled) {
      // Anthropic closed the stream before message_stop: a broken answer, billed for what came.
      return await fail(
        new ProviderError("stream ended before message_stop", { status: 502, provider: "anthropic" }),
        events.usage(),
      );
    }
    const { reason: aborted, byShutdown } = streamAbortReason(services, sink.signal, shutdown, stalled);
    return await fail(aborted, events.usage(), byShutdown ? undefined : "client_closed");
  }
  const usage = events.usage();
  if (!usage) {
    await admission.release();
    throw await failed(
      services,
      call,
      startedAt,
      new ProviderError("stream without usage", { status: 502, provider: "anthropic" }),
      { credentialId: credential.id, ttftMs },
    );
  }
  let priced: Priced;
  try {
    priced = price(services, call, usage);
  } catch (error) {
    await admission.release();
    throw await failed(services, call, startedAt, error, { credentialId: credential.id, ttftMs });
  }
  await succeeded(services, call, admission, {
    credentialId: credential.id,
    usage: priced.usage,
    cost: priced.cost,
    latencyMs: elapsed(startedAt),
    ttftMs,
    ...priced.invalid,
  });
  return { usage: priced.usage, cost: priced.cost, headers: admission.headers, last };
}

/**
 * POST /v1/messages/count_tokens, passed through with the user's Anthropic credential. Anthropic
 * does not charge for it, so it is neither reserved nor recorded; the rate limits of a call are not
 * spent on it either (Claude Code counts often).
 */
export async function countAnthropicTokens(
  services: Services,
  userId: string,
  native: { body: Record<string, unknown>; beta?: string },
): Promise<unknown> {
  const credential = await services.credentials.resolve(userId, "anthropic");
  if (!credential) {
    throw new ApiError(
      "credential_missing",
      "No anthropic credential: add one with POST /api/credentials before calling anthropic models",
      { details: [{ field: "provider", message: "no credential for this provider" }] },
    );
  }
  const context = {
    apiKey: credential.apiKey,
    ...endpointFor(services, "anthropic", credential.baseUrl),
    ...callOptions(services.config),
  };
  try {
    return await anthropicNativeCountTokens(native.body, context, native.beta ? { beta: native.beta } : {});
  } catch (error) {
    throw fromProviderError(error);
  }
}
