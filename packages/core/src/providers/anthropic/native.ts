import type { Usage } from "../../usage";
import { providerCall } from "../adapter";
import { isRecord, malformedResponse, ProviderError, parseProviderJson, scrubSecret } from "../errors";
import { GeneratedText } from "../generated-text";
import { openStream, parseSse, requestJson, type SseEvent } from "../http";
import type { CallContext } from "../types";
import { statusForAnthropicErrorType } from "./errors";
import { anthropicSpec } from "./index";
import {
  type AnthropicUsage,
  anthropicUsageSchema,
  mergeAnthropicUsage,
  normalizeAnthropicUsage,
} from "./usage";

/**
 * The Messages API passed through as Anthropic defines it (the /anthropic surface): the client's
 * body goes upstream unchanged, the answer comes back unchanged, and only its usage is read for
 * pricing. No translation, so thinking, tools, cache_control, images and documents arrive as sent.
 */

export interface NativeCallOptions {
  /** The client's `anthropic-beta` header, forwarded (betas change what the body may hold). */
  beta?: string;
}

function nativeCall(ctx: CallContext, path: string, body: unknown, options: NativeCallOptions) {
  const http = providerCall(anthropicSpec, ctx, "POST", path, body);
  if (options.beta) http.headers = { ...http.headers, "anthropic-beta": options.beta };
  return http;
}

/** The usage of an answer or a stream event, as billed; undefined when it has none. */
function readUsage(value: unknown): AnthropicUsage | undefined {
  if (!isRecord(value)) return undefined;
  const parsed = anthropicUsageSchema.safeParse(value);
  if (!parsed.success)
    throw malformedResponse("anthropic", `unexpected usage (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

export interface NativeAnswer {
  /** Anthropic's Message, as it came. */
  json: Record<string, unknown>;
  usage: Usage;
  providerRequestId?: string;
}

/** POST /v1/messages, not streamed. */
export async function anthropicNativeMessage(
  body: Record<string, unknown>,
  ctx: CallContext,
  options: NativeCallOptions = {},
): Promise<NativeAnswer> {
  const response = await requestJson(nativeCall(ctx, "/v1/messages", body, options));
  const json = response.json;
  const raw = isRecord(json) ? readUsage(json.usage) : undefined;
  if (!isRecord(json) || json.type !== "message" || raw === undefined) {
    throw malformedResponse("anthropic", "a message without usage");
  }
  return {
    json,
    usage: normalizeAnthropicUsage(raw),
    ...(response.providerRequestId === undefined ? {} : { providerRequestId: response.providerRequestId }),
  };
}

/** POST /v1/messages/count_tokens: free at Anthropic, so passed through without a charge. */
export async function anthropicNativeCountTokens(
  body: Record<string, unknown>,
  ctx: CallContext,
  options: NativeCallOptions = {},
): Promise<unknown> {
  const response = await requestJson(nativeCall(ctx, "/v1/messages/count_tokens", body, options));
  return response.json;
}

export interface NativeStream extends AsyncIterable<SseEvent> {
  /**
   * The usage so far: once message_delta came, Anthropic's own; before that (a client that left),
   * the input side from message_start and the output estimated from the text passed on.
   * Undefined before message_start (nothing billable happened yet).
   */
  usage(): Usage | undefined;
  /** Whether the stream reached message_stop. */
  readonly finished: boolean;
  providerRequestId?: string;
}

/**
 * POST /v1/messages with `stream: true`. Every event is yielded as it came (`event:` name and
 * `data:` text unchanged) except `error`, which is thrown as a ProviderError carrying its type (the
 * surface answers it in the same shape). Usage: message_start's (input side, running output count)
 * merged with message_delta's cumulative counts (anthropic-sdk-typescript MessageDeltaUsage).
 */
export function anthropicNativeStream(
  body: Record<string, unknown>,
  ctx: CallContext,
  options: NativeCallOptions = {},
): NativeStream {
  let raw: AnthropicUsage | undefined;
  let complete = false;
  let finished = false;
  const generated = new GeneratedText();
  const stream: NativeStream = {
    get finished() {
      return finished;
    },
    usage() {
      if (!raw) return undefined;
      const usage = normalizeAnthropicUsage(raw);
      if (complete) return usage;
      return {
        ...usage,
        completionTokens: Math.max(usage.completionTokens, generated.tokens()),
        estimated: true,
      };
    },
    async *[Symbol.asyncIterator]() {
      const http = nativeCall(ctx, "/v1/messages", { ...body, stream: true }, options);
      const upstream = await openStream(http);
      if (upstream.providerRequestId !== undefined) stream.providerRequestId = upstream.providerRequestId;
      try {
        for await (const event of parseSse(upstream.body, http.limits.maxResponseBytes)) {
          const json = parseProviderJson("anthropic", event.data, { secret: ctx.apiKey });
          if (!isRecord(json) || typeof json.type !== "string") {
            throw malformedResponse("anthropic", "stream event without a type");
          }
          switch (json.type) {
            case "message_start": {
              const usage = isRecord(json.message) ? readUsage(json.message.usage) : undefined;
              if (usage) raw = mergeAnthropicUsage(raw, usage);
              break;
            }
            case "content_block_delta":
              if (isRecord(json.delta)) {
                const { text, thinking, partial_json: partial } = json.delta;
                for (const piece of [text, thinking, partial])
                  if (typeof piece === "string") generated.append(piece);
              }
              break;
            case "message_delta": {
              const usage = readUsage(json.usage);
              if (usage) {
                raw = mergeAnthropicUsage(raw, usage);
                complete ||= usage.output_tokens !== undefined && usage.output_tokens !== null;
              }
              break;
            }
            case "message_stop":
              finished = true;
              break;
            case "error": {
              const error = isRecord(json.error) ? json.error : {};
              const type = typeof error.type === "string" ? error.type : undefined;
              throw new ProviderError(typeof error.message === "string" ? error.message : "stream error", {
                status: statusForAnthropicErrorType(type),
                provider: "anthropic",
                ...(type === "timeout_error" ? { code: "provider_timeout" as const } : {}),
                ...(type ? { providerCode: type } : {}),
              });
            }
          }
          yield event;
        }
      } catch (caught) {
        const error = upstream.failure(caught);
        if (error instanceof ProviderError) {
          error.message = scrubSecret(error.message, ctx.apiKey);
          error.partialUsage = stream.usage();
        }
        throw error;
      } finally {
        upstream.close();
      }
    },
  };
  return stream;
}
