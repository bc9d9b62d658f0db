import { z } from "zod";
import type { StreamState, StreamTranslator } from "../adapter";
import { isRecord, malformedResponse, ProviderError, parseProviderJson } from "../errors";
import type { SseEvent } from "../http";
import type { ThinkingBlock } from "../schema";
import type { StreamDeltaEvent } from "../types";
import { statusForAnthropicErrorType } from "./errors";
import { mapAnthropicStopReason } from "./response";
import {
  type AnthropicUsage,
  anthropicUsageSchema,
  mergeAnthropicUsage,
  normalizeAnthropicUsage,
} from "./usage";

const eventSchema = z.discriminatedUnion(
  "type",
  [
    z.object({
      type: z.literal("message_start"),
      message: z.object({
        id: z.string().nullish(),
        model: z.string().nullish(),
        usage: anthropicUsageSchema.nullish(),
      }),
    }),
    z.object({
      type: z.literal("content_block_start"),
      index: z.number(),
      content_block: z.object({
        type: z.string(),
        text: z.string().nullish(),
        id: z.string().nullish(),
        name: z.string().nullish(),
        thinking: z.string().nullish(),
        signature: z.string().nullish(),
        data: z.string().nullish(),
      }),
    }),
    z.object({ type: z.literal("content_block_stop"), index: z.number() }),
    z.object({
      type: z.literal("content_block_delta"),
      index: z.number(),
      delta: z.object({
        type: z.string(),
        text: z.string().nullish(),
        partial_json: z.string().nullish(),
        thinking: z.string().nullish(),
        signature: z.string().nullish(),
      }),
    }),
    z.object({
      type: z.literal("message_delta"),
      delta: z.object({ stop_reason: z.string().nullish() }).nullish(),
      usage: anthropicUsageSchema.nullish(),
    }),
    z.object({
      type: z.literal("error"),
      error: z.object({ type: z.string().nullish(), message: z.string().nullish() }).nullish(),
    }),
  ],
  { error: "unexpected stream event" },
);

const HANDLED = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "error",
]);

/**
 * message_start (input-side usage) → content blocks (text_delta / input_json_delta /
 * thinking_delta + signature_delta) → message_delta (stop_reason, cumulative output_tokens) →
 * message_stop; `error` may come anywhere. A thinking block's text streams as reasoning; the whole
 * block (its signature arrives last, in a signature_delta) is sent once at its content_block_stop
 * (anthropic-sdk-typescript ThinkingDelta, SignatureDelta; https://docs.claude.com/en/docs/build-with-claude/streaming).
 */
export function createAnthropicStreamTranslator(): StreamTranslator {
  const state: StreamState = { usageComplete: false };
  let rawUsage: AnthropicUsage | undefined;
  // Content block index → index among tool calls (OpenAI numbers tool calls from 0).
  const toolIndex = new Map<number, number>();
  // Content block index → the thinking block being assembled.
  const thinking = new Map<number, ThinkingBlock>();

  const updateUsage = (update: AnthropicUsage, complete: boolean) => {
    rawUsage = mergeAnthropicUsage(rawUsage, update);
    state.usage = normalizeAnthropicUsage(rawUsage);
    state.usageComplete ||= complete;
  };

  return {
    state,
    push(event: SseEvent): StreamDeltaEvent | undefined {
      const json = parseProviderJson("anthropic", event.data);
      const type = isRecord(json) ? json.type : undefined;
      if (typeof type !== "string") throw malformedResponse("anthropic", "stream event without a type");
      // ping, content_block_stop, message_stop, and event types newer than this code (the API
      // docs ask clients to ignore unknown ones).
      if (!HANDLED.has(type)) return undefined;
      const parsed = eventSchema.safeParse(json);
      if (!parsed.success) {
        throw malformedResponse("anthropic", `unexpected ${type} event (${parsed.error.issues[0]?.message})`);
      }
      const data = parsed.data;
      switch (data.type) {
        case "message_start":
          if (data.message.id) state.id = data.message.id;
          if (data.message.model) state.model = data.message.model;
          if (data.message.usage) updateUsage(data.message.usage, false);
          return undefined;
        case "content_block_start": {
          const block = data.content_block;
          if (block.type === "tool_use") {
            const index = toolIndex.size;
            toolIndex.set(data.index, index);
            return {
              type: "delta",
              toolCalls: [
                {
                  index,
                  id: block.id ?? `toolu_${index}`,
                  type: "function",
                  function: { name: block.name ?? "", arguments: "" },
                },
              ],
            };
          }
          if (block.type === "thinking") {
            thinking.set(data.index, {
              type: "thinking",
              thinking: block.thinking ?? "",
              signature: block.signature ?? "",
            });
            return block.thinking ? { type: "delta", reasoningContent: block.thinking } : undefined;
          }
          if (block.type === "redacted_thinking") {
            thinking.set(data.index, { type: "redacted_thinking", data: block.data ?? "" });
            return undefined;
          }
          return block.type === "text" && block.text ? { type: "delta", content: block.text } : undefined;
        }
        case "content_block_delta": {
          const { delta } = data;
          if (delta.type === "text_delta" && delta.text) return { type: "delta", content: delta.text };
          const block = thinking.get(data.index);
          if (block?.type === "thinking") {
            if (delta.type === "signature_delta" && delta.signature) block.signature += delta.signature;
            if (delta.type === "thinking_delta" && delta.thinking) {
              block.thinking += delta.thinking;
              return { type: "delta", reasoningContent: delta.thinking };
            }
            return undefined;
          }
          const index = toolIndex.get(data.index);
          if (delta.type === "input_json_delta" && delta.partial_json && index !== undefined) {
            return { type: "delta", toolCalls: [{ index, function: { arguments: delta.partial_json } }] };
          }
          return undefined; // citations_delta, ...
        }
        case "content_block_stop": {
          const block = thinking.get(data.index);
          if (!block) return undefined;
          thinking.delete(data.index);
          return { type: "delta", thinkingBlocks: [block] };
        }
        case "message_delta":
          if (data.delta?.stop_reason) state.finishReason = mapAnthropicStopReason(data.delta.stop_reason);
          if (data.usage?.output_tokens !== undefined && data.usage.output_tokens !== null)
            updateUsage(data.usage, true);
          return undefined;
        case "error":
          throw new ProviderError(data.error?.message ?? "stream error", {
            status: statusForAnthropicErrorType(data.error?.type ?? undefined),
            provider: "anthropic",
            ...(data.error?.type === "timeout_error" ? { code: "provider_timeout" as const } : {}),
            ...(data.error?.type ? { providerCode: data.error.type } : {}),
          });
      }
    },
  };
}
