import { z } from "zod";
import type { StreamState, StreamTranslator } from "../adapter";
import { isRecord, malformedResponse, ProviderError, parseProviderJson } from "../errors";
import type { SseEvent } from "../http";
import type { StreamDeltaEvent, ToolCallDelta } from "../types";
import {
  contentText,
  contentThinking,
  finishedWithError,
  mapOpenAIFinishReason,
  openAIContentSchema,
  toolArgumentsSchema,
} from "./chat";
import type { OpenAIDialect } from "./dialect";
import { parseOpenAIError } from "./errors";
import { normalizeOpenAIUsage, openAIUsageSchema } from "./usage";

const chunkSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: openAIContentSchema,
            /** DeepSeek's thinking mode (https://api-docs.deepseek.com/guides/thinking_mode). */
            reasoning_content: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  // Mistral may leave it out (client-ts toolcall.ts: `index` defaults to 0).
                  index: z.number().nullish(),
                  id: z.string().nullish(),
                  function: z
                    .object({ name: z.string().nullish(), arguments: toolArgumentsSchema })
                    .nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openAIUsageSchema.nullish(),
});

/**
 * `data: {chat.completion.chunk}` events until `data: [DONE]`. Usage comes in a final chunk with
 * no choices (OpenAI, DeepSeek, when asked) or on the last chunk (Mistral).
 *
 * Tool calls arrive as OpenAI streams them (the id and name first, then argument fragments) or,
 * from Mistral, whole in one delta, possibly without `index`. A call whose arguments never came
 * (a tool without parameters, streamed with `arguments: ""`) gets `{}` once the answer finishes,
 * so that what the client assembles always parses.
 */
export function createOpenAIStreamTranslator(dialect: OpenAIDialect): StreamTranslator {
  const state: StreamState = { usageComplete: false };
  let rawFinish: string | undefined;
  /** Indexes of the calls seen (a call without arguments gets "{}" in the adapter, for every provider). */
  const calls = new Set<number>();
  let lastIndex = -1;

  const indexOf = (call: { index?: number | null; id?: string | null }): number => {
    if (typeof call.index === "number") return call.index;
    // No index: a new id starts the next call, a fragment continues the current one.
    return call.id ? lastIndex + 1 : Math.max(lastIndex, 0);
  };

  return {
    state,
    push(event: SseEvent): StreamDeltaEvent | undefined {
      if (event.data === "[DONE]") return undefined;
      const json = parseProviderJson(dialect.id, event.data);
      if (isRecord(json) && json.error !== undefined) {
        const parsed = parseOpenAIError(event.data);
        throw new ProviderError(parsed.message ?? "stream error", {
          status: 502,
          provider: dialect.id,
          ...(parsed.providerCode === undefined ? {} : { providerCode: parsed.providerCode }),
        });
      }
      const chunk = chunkSchema.safeParse(json);
      if (!chunk.success)
        throw malformedResponse(dialect.id, `unexpected stream chunk (${chunk.error.issues[0]?.message})`);
      const { id, model, choices, usage } = chunk.data;
      if (id) state.id = id;
      if (model) state.model = model;
      if (usage) {
        state.usage = normalizeOpenAIUsage(usage);
        state.usageComplete = true;
      }
      const choice = choices?.[0];
      if (!choice) return undefined;
      const delta: StreamDeltaEvent = { type: "delta" };
      const content = choice.delta?.content;
      const text = contentText(content);
      if (text) delta.content = text;
      const reasoning = choice.delta?.reasoning_content || contentThinking(content);
      if (reasoning) delta.reasoningContent = reasoning;
      const toolCalls: ToolCallDelta[] = (choice.delta?.tool_calls ?? []).map((call) => {
        const index = indexOf(call);
        lastIndex = Math.max(lastIndex, index);
        calls.add(index);
        const out: ToolCallDelta = { index };
        if (call.id) {
          out.id = call.id;
          out.type = "function";
        }
        if (call.function) {
          out.function = {};
          if (call.function.name) out.function.name = call.function.name;
          if (call.function.arguments) out.function.arguments = call.function.arguments;
        }
        return out;
      });
      if (choice.finish_reason) rawFinish = choice.finish_reason;
      if (toolCalls.length > 0) delta.toolCalls = toolCalls;
      state.finishReason = mapOpenAIFinishReason(rawFinish, calls.size > 0);
      if (rawFinish === "error") {
        // Billed like any answer: the usage on this chunk goes with the error (the adapter
        // estimates it from the streamed text when the chunk had none).
        throw finishedWithError(dialect.id, state.usage);
      }
      return delta.content !== undefined ||
        delta.reasoningContent !== undefined ||
        delta.toolCalls !== undefined
        ? delta
        : undefined;
    },
  };
}
