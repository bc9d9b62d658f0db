import { z } from "zod";
import { malformedResponse } from "../errors";
import type { ThinkingBlock } from "../schema";
import type { ChatResult, FinishReason, ToolCall } from "../types";
import { anthropicUsageSchema, normalizeAnthropicUsage } from "./usage";

/** Messages API response translation. */

export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default: // end_turn, stop_sequence, pause_turn
      return "stop";
  }
}

const responseSchema = z.object({
  id: z.string(),
  model: z.string(),
  content: z.array(
    z.object({
      type: z.string(),
      text: z.string().nullish(),
      id: z.string().nullish(),
      name: z.string().nullish(),
      input: z.unknown().optional(),
      thinking: z.string().nullish(),
      signature: z.string().nullish(),
      data: z.string().nullish(),
    }),
  ),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema,
});

/**
 * Text, tool_use, and the thinking / redacted_thinking blocks (anthropic-sdk-typescript
 * ThinkingBlock, RedactedThinkingBlock): their text is the reasoning, the blocks themselves (with
 * the signature) go to the client to send back in a tool loop.
 */
export function parseAnthropicResponse(json: unknown): Omit<ChatResult, "providerRequestId"> {
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success)
    throw malformedResponse("anthropic", `unexpected shape (${parsed.error.issues[0]?.message})`);
  const response = parsed.data;
  const texts: string[] = [];
  const thoughts: string[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of response.content) {
    if (block.type === "text") texts.push(block.text ?? "");
    else if (block.type === "thinking") {
      thoughts.push(block.thinking ?? "");
      thinkingBlocks.push({
        type: "thinking",
        thinking: block.thinking ?? "",
        signature: block.signature ?? "",
      });
    } else if (block.type === "redacted_thinking") {
      thinkingBlocks.push({ type: "redacted_thinking", data: block.data ?? "" });
    } else if (block.type === "tool_use") {
      toolCalls.push({
        id: block.id ?? `toolu_${toolCalls.length}`,
        type: "function",
        function: { name: block.name ?? "", arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  return {
    id: response.id,
    model: response.model,
    content: texts.length > 0 ? texts.join("") : null,
    role: "assistant",
    finishReason: mapAnthropicStopReason(response.stop_reason),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(thoughts.length > 0 ? { reasoningContent: thoughts.join("") } : {}),
    ...(thinkingBlocks.length > 0 ? { thinkingBlocks } : {}),
    usage: normalizeAnthropicUsage(response.usage),
  };
}
