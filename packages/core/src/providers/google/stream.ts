import type { StreamState, StreamTranslator } from "../adapter";
import { isRecord, malformedResponse, ProviderError, parseProviderJson, stringField } from "../errors";
import type { SseEvent } from "../http";
import type { StreamDeltaEvent } from "../types";
import {
  geminiResponseSchema,
  mapGeminiFinishReason,
  splitParts,
  TOOL_FAILURE_REASONS,
  toolFailure,
} from "./chat";
import { normalizeGeminiUsage } from "./usage";

/**
 * With `alt=sse` every event is a whole GenerateContentResponse fragment. Intermediate ones may
 * carry a prompt-only usageMetadata; the last one has finishReason and the final usage.
 */
export function createGoogleStreamTranslator(): StreamTranslator {
  const state: StreamState = { usageComplete: false };
  let toolCalls = 0;
  let rawFinish: string | undefined;
  let blocked = false;

  return {
    state,
    push(event: SseEvent): StreamDeltaEvent | undefined {
      const json = parseProviderJson("google", event.data);
      if (isRecord(json) && isRecord(json.error)) {
        const code = json.error.code;
        const providerCode = stringField(json.error, "status");
        throw new ProviderError(stringField(json.error, "message") ?? "stream error", {
          status: typeof code === "number" && code >= 400 ? code : 502,
          provider: "google",
          ...(providerCode === undefined ? {} : { providerCode }),
        });
      }
      const parsed = geminiResponseSchema.safeParse(json);
      if (!parsed.success) {
        throw malformedResponse("google", `unexpected stream chunk (${parsed.error.issues[0]?.message})`);
      }
      const chunk = parsed.data;
      const candidate = chunk.candidates?.[0];
      if (chunk.responseId) state.id = chunk.responseId;
      if (chunk.modelVersion) state.model = chunk.modelVersion;
      if (candidate?.finishReason) rawFinish = candidate.finishReason;
      if (chunk.promptFeedback?.blockReason) blocked = true;
      if (chunk.usageMetadata) {
        state.usage = normalizeGeminiUsage(chunk.usageMetadata);
        state.usageComplete = Boolean(candidate?.finishReason) || blocked;
      }

      if (candidate?.finishReason && TOOL_FAILURE_REASONS.has(candidate.finishReason)) {
        // Billed all the same: the usage of the last chunk goes with the error.
        throw toolFailure(
          candidate.finishReason,
          candidate.finishMessage,
          state.usage ?? normalizeGeminiUsage({}),
        );
      }
      const { text, reasoning, calls } = splitParts(candidate?.content?.parts ?? []);
      const first = toolCalls;
      toolCalls += calls.length;
      state.finishReason = blocked ? "content_filter" : mapGeminiFinishReason(rawFinish, toolCalls > 0);
      const delta: StreamDeltaEvent = { type: "delta" };
      if (text) delta.content = text;
      if (reasoning) delta.reasoningContent = reasoning;
      if (calls.length > 0) {
        delta.toolCalls = calls.map((call, i) => ({ index: first + i, ...call }));
      }
      return delta.content !== undefined ||
        delta.toolCalls !== undefined ||
        delta.reasoningContent !== undefined
        ? delta
        : undefined;
    },
  };
}
