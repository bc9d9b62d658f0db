import type { FinishReason } from "@llmg/core";
import type { ChatCall } from "../chat/call";
import {
  adjusted,
  type CompletedChat,
  completeChat,
  type StreamedChat,
  type StreamSink,
  streamChat,
  withAdjusted,
} from "../chat/service";
import { ApiError } from "../errors";
import type { Services } from "../services";
import {
  AnswerAssembler,
  answerFromResult,
  type CachedAnswer,
  cacheable,
  decodeAnswer,
  MAX_ENTRY_BYTES,
  replayEvents,
  resultFromAnswer,
} from "./answer";
import { admitHit, recordHit, savedCost, ZERO_COST } from "./hit";
import { cacheKey } from "./key";
import { CACHE_HEADER, type CacheDirective } from "./policy";
import type { ResponseCacheStore } from "./store";
import { createMemoryCacheStore } from "./store-memory";

type Caching = Extract<CacheDirective, { kind: "store" }>;

// Services built without a cache (scripts, the CLI) get an in-process one on first use.
const fallbackStores = new WeakMap<Services, ResponseCacheStore>();

function storeOf(services: Services): ResponseCacheStore {
  if (services.responseCache) return services.responseCache;
  let store = fallbackStores.get(services);
  if (!store) {
    store = createMemoryCacheStore();
    fallbackStores.set(services, store);
  }
  return store;
}

/** A store that fails is a miss, never a failed call: the provider can still answer. */
async function lookup(services: Services, call: ChatCall, key: string): Promise<CachedAnswer | undefined> {
  try {
    const text = await storeOf(services).get(key);
    return text === undefined ? undefined : decodeAnswer(text);
  } catch (error) {
    services.logger.warn(
      { request_id: call.meta.requestId, err: (error as Error).message },
      "response cache read failed; calling the provider",
    );
    return undefined;
  }
}

/** Stores an answer the policy allows, before the call's answer completes (a next call sees it). */
async function remember(
  services: Services,
  call: ChatCall,
  key: string,
  answer: CachedAnswer,
  caching: Caching,
): Promise<void> {
  if (!cacheable(answer, caching.cacheAll === true)) return;
  const text = JSON.stringify(answer);
  if (Buffer.byteLength(text) > MAX_ENTRY_BYTES) return;
  try {
    await storeOf(services).set(key, text, caching.ttlSeconds * 1000);
  } catch (error) {
    services.logger.warn(
      { request_id: call.meta.requestId, err: (error as Error).message },
      "response cache write failed; the answer is not cached",
    );
  }
}

const withStatus = (headers: Record<string, string>, status: "hit" | "miss") => ({
  ...headers,
  [CACHE_HEADER]: status,
});

/** The headers of a hit: its rate-limit state, what the gateway would have changed, `hit`. */
function hitHeaders(call: ChatCall, admitted: Record<string, string>): Record<string, string> {
  return withStatus(withAdjusted(admitted, adjusted(call).header), "hit");
}

const tracked = <T>(services: Services, run: () => Promise<T>): Promise<T> =>
  services.inflight ? services.inflight.track(run) : run();

/** The answer with the model that gave it, when a route or fallbacks let it differ from the call's. */
function withModel(answer: CachedAnswer, done: Pick<CompletedChat, "answeredBy">): CachedAnswer {
  const by = done.answeredBy;
  return by
    ? { ...answer, model: { provider: by.model.provider, id: by.model.id, label: by.label } }
    : answer;
}

/**
 * The call as the cached answer's model made it: a hit's saving is priced, and its row filed,
 * at the rates of the model that answered, not of the route's first target.
 */
function answering(services: Services, call: ChatCall, cached: CachedAnswer): ChatCall {
  const by = cached.model;
  if (!by || (by.provider === call.model.provider && by.id === call.model.id)) return call;
  const model = services.catalog.model(by.provider as ChatCall["model"]["provider"], by.id);
  return model ? { ...call, model, label: by.label } : call;
}

/**
 * A non-streaming call through the response cache when it asks for it (`call.cache`); any other
 * call goes straight to the chat service, having cost one property check. A hit answers from the
 * cache at $0 (rate-limited, no budget); a miss calls the provider and caches the answer.
 */
export function completeChatCached(services: Services, call: ChatCall): Promise<CompletedChat> {
  const caching = call.cache;
  if (caching?.kind !== "store") return completeChat(services, call);
  return completeThroughCache(services, call, caching);
}

async function completeThroughCache(
  services: Services,
  call: ChatCall,
  caching: Caching,
): Promise<CompletedChat> {
  const startedAt = performance.now();
  const key = cacheKey(call);
  const cached = await lookup(services, call, key);
  if (cached) return tracked(services, () => completeHit(services, call, cached, startedAt));
  const done = await completeChat(services, call);
  await remember(services, call, key, withModel(answerFromResult(done.result, done.usage), done), caching);
  return { ...done, headers: withStatus(done.headers, "miss") };
}

/** A hit's admission (rate limits only) and what it saved; a saving that cannot be priced releases it. */
async function admitAndPrice(services: Services, call: ChatCall, cached: CachedAnswer, startedAt: number) {
  const admission = await admitHit(services, call, cached.usage, startedAt);
  try {
    return { admission, savedUsd: savedCost(call, cached.usage) };
  } catch (error) {
    await admission.release();
    throw error;
  }
}

async function completeHit(
  services: Services,
  asked: ChatCall,
  cached: CachedAnswer,
  startedAt: number,
): Promise<CompletedChat> {
  const call = answering(services, asked, cached);
  const { admission, savedUsd } = await admitAndPrice(services, call, cached, startedAt);
  const result = resultFromAnswer(cached, call.model.id, `cache-${call.meta.requestId}`);
  const latencyMs = performance.now() - startedAt;
  await recordHit(services, call, admission, {
    usage: cached.usage,
    savedUsd,
    latencyMs,
    responseBody: result,
  });
  return {
    result,
    ...(asked.routing ? { answeredBy: { label: call.label ?? call.model.id, model: call.model } } : {}),
    usage: cached.usage,
    cost: ZERO_COST,
    latencyMs,
    headers: hitHeaders(call, admission.headers),
  };
}

/**
 * A streaming call through the response cache when it asks for it. A miss streams the provider's
 * answer as usual while gathering it, and caches the whole answer once the stream completed; a
 * hit replays the cached answer (from a streamed or a plain call alike) as stream events.
 */
export function streamChatCached(
  services: Services,
  call: ChatCall,
  sink: StreamSink,
): Promise<StreamedChat> {
  const caching = call.cache;
  if (caching?.kind !== "store") return streamChat(services, call, sink);
  return streamThroughCache(services, call, sink, caching);
}

async function streamThroughCache(
  services: Services,
  call: ChatCall,
  sink: StreamSink,
  caching: Caching,
): Promise<StreamedChat> {
  const startedAt = performance.now();
  const key = cacheKey(call);
  const cached = await lookup(services, call, key);
  if (cached) return tracked(services, () => streamHit(services, call, sink, cached, startedAt));
  const assembler = new AnswerAssembler();
  const done = await streamChat(services, call, {
    signal: sink.signal,
    onStart: (headers) => sink.onStart(withStatus(headers, "miss")),
    onEvent(event) {
      assembler.add(event);
      return sink.onEvent(event);
    },
  });
  // A stream that returned completed (a client that left or a failure throws instead).
  await remember(
    services,
    call,
    key,
    withModel(assembler.answer(done.finishReason as FinishReason, done.usage), done),
    caching,
  );
  return { ...done, headers: withStatus(done.headers, "miss") };
}

async function streamHit(
  services: Services,
  call: ChatCall,
  sink: StreamSink,
  cached: CachedAnswer,
  startedAt: number,
): Promise<StreamedChat> {
  call = answering(services, call, cached);
  const { admission, savedUsd } = await admitAndPrice(services, call, cached, startedAt);
  sink.onStart(hitHeaders(call, admission.headers));
  let ttftMs: number | null = null;
  for (const event of replayEvents(cached)) {
    if (sink.signal.aborted) break;
    ttftMs ??= performance.now() - startedAt;
    const pending = sink.onEvent(event);
    if (pending) await pending;
  }
  const latencyMs = performance.now() - startedAt;
  // Recorded even if the client left: the hit was served at $0 all the same.
  await recordHit(services, call, admission, { usage: cached.usage, savedUsd, latencyMs, ttftMs });
  if (sink.signal.aborted) {
    throw new ApiError("validation_error", "Client closed the stream before it ended", { status: 499 });
  }
  return {
    usage: cached.usage,
    cost: ZERO_COST,
    finishReason: cached.finishReason,
    latencyMs,
    ttftMs,
    headers: hitHeaders(call, admission.headers),
  };
}
