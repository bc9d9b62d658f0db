import { z } from "zod";
import type { StreamState, StreamTranslator } from "../adapter";
import { isRecord, malformedResponse, ProviderError, parseProviderJson } from "../errors";
import type { SseEvent } from "../http";
import type { StreamDeltaEvent, ToolCallDelta } from "../types";
import { contentText, mapOpenAIFinishReason, openAIContentSchema } from "./chat";
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
            tool_calls: z
              .array(
                z.object({
                  index: z.number(),
                  id: z.string().nullish(),
                  function: z
                    .object({ name: z.string().nullish(), arguments: z.string().nullish() })
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
 */
export function createOpenAIStreamTranslator(dialect: OpenAIDialect): StreamTranslator {
  const state: StreamState = { usageComplete: false };
  let rawFinish: string | undefined;
  let sawToolCalls = false;

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
      const text = contentText(choice.delta?.content);
      if (text) delta.content = text;
      const toolCalls = choice.delta?.tool_calls;
      if (toolCalls && toolCalls.length > 0) {
        sawToolCalls = true;
        delta.toolCalls = toolCalls.map((call) => {
          const out: ToolCallDelta = { index: call.index };
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
      }
      if (choice.finish_reason) rawFinish = choice.finish_reason;
      state.finishReason = mapOpenAIFinishReason(rawFinish, sawToolCalls);
      return delta.content !== undefined || delta.toolCalls !== undefined ? delta : undefined;
    },
  };
}
