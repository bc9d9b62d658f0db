import { type MappableField, paramRulesFor } from "../catalog/param-rules";
import type { ProviderId } from "../provider-ids";
import type { Usage } from "../usage";
import { type AdjustedRequest, adjustRequest } from "./adjust";
import { type ParsedProviderError, ProviderError, scrubSecret } from "./errors";
import { GeneratedText } from "./generated-text";
import { type HttpCall, openStream, parseSse, requestJson, requestStatus, type SseEvent } from "./http";
import type { ChatRequest } from "./schema";
import {
  type AdjustModel,
  type CallContext,
  type ChatResult,
  type ChatStream,
  CREDENTIAL_TEST_TIMEOUTS,
  type CredentialContext,
  type CredentialTestResult,
  DEFAULT_RESPONSE_LIMITS,
  type FinishReason,
  type ProviderAdapter,
  type RetryConfig,
  type StreamDeltaEvent,
  type StreamEvent,
  type ToolCall,
  type ToolCallDelta,
} from "./types";

/** What a stream has told so far, kept by the provider's translator. */
export interface StreamState {
  finishReason?: FinishReason;
  usage?: Usage;
  /** False while usage is missing or partial (Anthropic's input side before `message_delta`). */
  usageComplete: boolean;
  id?: string;
  model?: string;
}

/** Turns one provider's SSE events into our deltas. Throws ProviderError on error events or bad JSON. */
export interface StreamTranslator {
  push(event: SseEvent): StreamDeltaEvent | undefined;
  readonly state: StreamState;
}

/** Everything that differs between providers; `createAdapter` supplies the rest. */
export interface ProviderSpec {
  id: ProviderId;
  defaultBaseUrl: string;
  authHeaders(apiKey: string): Record<string, string>;
  requestIdHeaders: readonly string[];
  /** Path relative to the base URL (query included) and the JSON body. */
  buildChat(req: ChatRequest, ctx: CallContext, stream: boolean): { path: string; body: unknown };
  /** Throws a 502 ProviderError when the body is not the documented shape. */
  parseChat(json: unknown, req: ChatRequest): Omit<ChatResult, "providerRequestId">;
  createStreamTranslator(req: ChatRequest): StreamTranslator;
  modelsPath: string;
  parseError(body: string): ParsedProviderError;
  /** The optional request fields buildChat maps; any other one that is set is dropped and reported. */
  fields: ReadonlySet<MappableField>;
  /** Provider-specific adjustments after the generic ones (the catalog rules and `fields`). */
  adjust?(adjusted: AdjustedRequest, model: AdjustModel): AdjustedRequest;
}

const NO_RETRY: RetryConfig = { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 };

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

/** One HTTP call to the provider with its auth, limits, timeouts and error parsing (also used by native surfaces). */
export function providerCall(
  spec: ProviderSpec,
  ctx: CredentialContext & Pick<CallContext, "limits"> & { retry?: RetryConfig },
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): HttpCall {
  return {
    provider: spec.id,
    method,
    url: joinUrl(ctx.baseUrl, path),
    headers:
      body === undefined
        ? spec.authHeaders(ctx.apiKey)
        : { ...spec.authHeaders(ctx.apiKey), "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    apiKey: ctx.apiKey,
    timeouts: ctx.timeouts ?? CREDENTIAL_TEST_TIMEOUTS,
    retry: ctx.retry ?? NO_RETRY,
    limits: ctx.limits ?? DEFAULT_RESPONSE_LIMITS,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.egress ? { egress: ctx.egress } : {}),
    parseError: spec.parseError,
    requestIdHeaders: spec.requestIdHeaders,
  };
}

/** An untrusted base URL may be an internal service: its errors quote none of its body. */
function withoutBodyBytes(ctx: CallContext, error: unknown): unknown {
  if (ctx.egress && error instanceof ProviderError && error.withoutBody !== undefined) {
    error.message = error.withoutBody;
  }
  return error;
}

/** What a stream has produced so far, shared between the generator and `usageSoFar()`. */
class StreamProgress {
  translator: StreamTranslator | undefined;
  /** Everything generated so far (bounded), for estimating usage the provider did not report. */
  readonly generated = new GeneratedText();
  constructor(readonly req: ChatRequest) {}

  /** Undefined until the provider accepted the request (nothing billable happened before). */
  usage(): Usage | undefined {
    if (!this.translator) return undefined;
    const { usage, usageComplete } = this.translator.state;
    return usage && usageComplete ? usage : this.generated.usage(this.req, usage);
  }
}

async function* run(
  spec: ProviderSpec,
  req: ChatRequest,
  ctx: CallContext,
  progress: StreamProgress,
): AsyncGenerator<StreamEvent> {
  const { path, body } = spec.buildChat(req, ctx, true);
  const http = providerCall(spec, ctx, "POST", path, body);
  const upstream = await openStream(http);
  const translator = spec.createStreamTranslator(req);
  progress.translator = translator;
  /** Tool call index → whether any argument text came (a call without any is given "{}"). */
  const argumentsSeen = new Map<number, boolean>();
  try {
    // One event may be as large as a whole non-streamed answer, no larger.
    for await (const event of parseSse(upstream.body, http.limits.maxResponseBytes)) {
      const delta = translator.push(event);
      if (!delta) continue;
      if (delta.content) progress.generated.append(delta.content);
      for (const toolCall of delta.toolCalls ?? []) {
        if (toolCall.function?.arguments) argumentsSeen.set(toolCall.index, true);
        else if (!argumentsSeen.has(toolCall.index)) argumentsSeen.set(toolCall.index, false);
        progress.generated.append(toolCall.function?.name ?? "");
        progress.generated.append(toolCall.function?.arguments ?? "");
      }
      yield delta;
    }
  } catch (caught) {
    const error = upstream.failure(caught);
    if (error instanceof ProviderError) {
      error.message = scrubSecret(error.message, ctx.apiKey);
      error.partialUsage = progress.usage();
    }
    throw withoutBodyBytes(ctx, error);
  } finally {
    upstream.close();
  }
  const empty = [...argumentsSeen].filter(([, seen]) => !seen).map(([index]) => index);
  if (empty.length > 0) yield { type: "delta", toolCalls: empty.map(noArguments) };
  const { finishReason, id, model } = translator.state;
  yield {
    type: "done",
    finishReason: finishReason ?? "stop",
    usage: progress.usage() ?? progress.generated.usage(req),
    ...(id === undefined ? {} : { id }),
    ...(model === undefined ? {} : { model }),
    ...(upstream.providerRequestId === undefined ? {} : { providerRequestId: upstream.providerRequestId }),
  };
}

/**
 * A call without arguments is sent `"arguments": ""` by some providers (OpenAI for strict tools,
 * github.com/openai/openai-python/pull/3502); clients parse the arguments as JSON, so it gets "{}".
 */
function noArguments(index: number): ToolCallDelta {
  return { index, function: { arguments: "{}" } };
}

function withArguments(call: ToolCall): ToolCall {
  return call.function.arguments === "" ? { ...call, function: { ...call.function, arguments: "{}" } } : call;
}

function stream(spec: ProviderSpec, req: ChatRequest, ctx: CallContext): ChatStream {
  const progress = new StreamProgress(req);
  return Object.assign(run(spec, req, ctx, progress), { usageSoFar: () => progress.usage() });
}

export function createAdapter(spec: ProviderSpec): ProviderAdapter {
  return {
    id: spec.id,
    defaultBaseUrl: spec.defaultBaseUrl,

    adjust(req, model) {
      const generic = adjustRequest(req, paramRulesFor(model), spec.fields, spec.id);
      return spec.adjust ? spec.adjust(generic, model) : generic;
    },

    async chat(req, ctx) {
      const { path, body } = spec.buildChat(req, ctx, false);
      const response = await requestJson(providerCall(spec, ctx, "POST", path, body)).catch(
        (error: unknown) => {
          throw withoutBodyBytes(ctx, error);
        },
      );
      const parsed = spec.parseChat(response.json, req);
      const result = parsed.toolCalls
        ? { ...parsed, toolCalls: parsed.toolCalls.map(withArguments) }
        : parsed;
      return response.providerRequestId === undefined
        ? result
        : { ...result, providerRequestId: response.providerRequestId };
    },

    chatStream: (req, ctx) => stream(spec, req, ctx),

    async testCredential(ctx): Promise<CredentialTestResult> {
      const started = performance.now();
      const latencyMs = () => Math.round(performance.now() - started);
      try {
        const response = await requestStatus(providerCall(spec, ctx, "GET", spec.modelsPath));
        return { ok: true, status: response.status, latencyMs: latencyMs() };
      } catch (error) {
        if (error instanceof ProviderError) {
          return {
            ok: false,
            ...(error.upstreamStatus === undefined ? {} : { status: error.upstreamStatus }),
            latencyMs: latencyMs(),
            error: error.message,
          };
        }
        return {
          ok: false,
          latencyMs: latencyMs(),
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
  };
}
