import { ProviderError } from "../errors";
import type { ThinkingBlock } from "../schema";
import type { ChatResult, ChatStream, ToolCall } from "../types";

/**
 * The largest max_tokens the official SDK sends without streaming: it refuses a non-streamed call
 * whose expected time, 60 min × max_tokens / 128,000, exceeds 10 minutes ("Streaming is required
 * for operations that may take longer than 10 minutes"; anthropic-sdk-typescript src/client.ts
 * calculateNonstreamingTimeout). 600 s × 128,000 / 3,600 s = 21,333.3.
 */
export const NON_STREAMING_MAX_TOKENS = 21_333;

/** One ChatResult from a whole stream, for a non-streamed call too long to make unstreamed. */
export async function aggregateStream(stream: ChatStream): Promise<ChatResult> {
  let content = "";
  let reasoning = "";
  const thinkingBlocks: ThinkingBlock[] = [];
  const calls: ToolCall[] = [];
  for await (const event of stream) {
    if (event.type === "delta") {
      if (event.content) content += event.content;
      if (event.reasoningContent) reasoning += event.reasoningContent;
      if (event.thinkingBlocks) thinkingBlocks.push(...event.thinkingBlocks);
      for (const delta of event.toolCalls ?? []) {
        let call = calls[delta.index];
        if (!call) {
          call = { id: "", type: "function", function: { name: "", arguments: "" } };
          calls[delta.index] = call;
        }
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.function.name += delta.function.name;
        if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
      }
      continue;
    }
    const toolCalls = calls.filter((call) => call !== undefined);
    return {
      id: event.id ?? "",
      model: event.model ?? "",
      content: content === "" && toolCalls.length > 0 ? null : content,
      role: "assistant",
      finishReason: event.finishReason,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      ...(reasoning === "" ? {} : { reasoningContent: reasoning }),
      ...(thinkingBlocks.length > 0 ? { thinkingBlocks } : {}),
      usage: event.usage,
      ...(event.providerRequestId === undefined ? {} : { providerRequestId: event.providerRequestId }),
    };
  }
  throw new ProviderError("stream ended without its final event", { status: 502, provider: "anthropic" });
}
