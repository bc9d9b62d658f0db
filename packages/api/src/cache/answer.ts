import {
  type ChatResult,
  FINISH_REASONS,
  type FinishReason,
  type StreamEvent,
  type ThinkingBlock,
  type ToolCall,
  type Usage,
} from "@llmg/core";

/**
 * A cached answer: what a replay needs to answer as the provider did, in either shape (a JSON
 * completion or a stream of chunks), and the usage a hit's saving is priced from.
 */
export interface CachedAnswer {
  v: 1;
  content: string | null;
  reasoningContent?: string;
  thinkingBlocks?: ThinkingBlock[];
  toolCalls?: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** The model that answered, when it may differ from the call's (a route or fallbacks). */
  model?: { provider: string; id: string; label: string };
}

/** Answers larger than this (encoded) are not cached: one entry must not crowd out the rest. */
export const MAX_ENTRY_BYTES = 1024 * 1024;

/**
 * Whether an answer may be cached. A plain call caches only complete text answers: one cut by
 * `length` or a content filter is not one to repeat, and a tool call asks the client to act,
 * which a replay would make it do again. A route may say otherwise (`cacheAll`).
 */
export function cacheable(answer: CachedAnswer, cacheAll: boolean): boolean {
  if (cacheAll) return true;
  return answer.finishReason === "stop" && !answer.toolCalls?.length;
}

export function answerFromResult(result: ChatResult, usage: Usage): CachedAnswer {
  return {
    v: 1,
    content: result.content,
    ...(result.reasoningContent === undefined ? {} : { reasoningContent: result.reasoningContent }),
    ...(result.thinkingBlocks?.length ? { thinkingBlocks: result.thinkingBlocks } : {}),
    ...(result.toolCalls?.length ? { toolCalls: result.toolCalls } : {}),
    finishReason: result.finishReason,
    usage,
  };
}

export function resultFromAnswer(answer: CachedAnswer, model: string, id: string): ChatResult {
  return {
    id,
    model,
    content: answer.content,
    role: "assistant",
    finishReason: answer.finishReason,
    ...(answer.toolCalls?.length ? { toolCalls: answer.toolCalls } : {}),
    ...(answer.reasoningContent === undefined ? {} : { reasoningContent: answer.reasoningContent }),
    ...(answer.thinkingBlocks?.length ? { thinkingBlocks: answer.thinkingBlocks } : {}),
    usage: answer.usage,
  };
}

/** The deltas that replay an answer as a stream: reasoning first, then the text, then tool calls. */
export function replayEvents(answer: CachedAnswer): StreamEvent[] {
  const events: StreamEvent[] = [];
  if (answer.reasoningContent) events.push({ type: "delta", reasoningContent: answer.reasoningContent });
  if (answer.thinkingBlocks?.length) events.push({ type: "delta", thinkingBlocks: answer.thinkingBlocks });
  if (answer.content) events.push({ type: "delta", content: answer.content });
  if (answer.toolCalls?.length) {
    events.push({
      type: "delta",
      toolCalls: answer.toolCalls.map((call, index) => ({
        index,
        id: call.id,
        type: "function" as const,
        function: { name: call.function.name, arguments: call.function.arguments },
        ...(call.extra_content ? { extra_content: call.extra_content } : {}),
      })),
    });
  }
  return events;
}

/** Gathers a stream's deltas into the answer it made, as the client assembled it. */
export class AnswerAssembler {
  private content = "";
  private hasContent = false;
  private reasoning = "";
  private hasReasoning = false;
  private readonly blocks: ThinkingBlock[] = [];
  private readonly calls = new Map<number, ToolCall>();

  add(event: StreamEvent): void {
    if (event.type !== "delta") return;
    if (event.content !== undefined) {
      this.content += event.content;
      this.hasContent = true;
    }
    if (event.reasoningContent !== undefined) {
      this.reasoning += event.reasoningContent;
      this.hasReasoning = true;
    }
    if (event.thinkingBlocks) this.blocks.push(...event.thinkingBlocks);
    for (const delta of event.toolCalls ?? []) {
      const call = this.calls.get(delta.index) ?? {
        id: "",
        type: "function" as const,
        function: { name: "", arguments: "" },
      };
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.function.name += delta.function.name;
      if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
      if (delta.extra_content) call.extra_content = delta.extra_content;
      this.calls.set(delta.index, call);
    }
  }

  answer(finishReason: FinishReason, usage: Usage): CachedAnswer {
    const toolCalls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    return {
      v: 1,
      content: this.hasContent ? this.content : null,
      ...(this.hasReasoning ? { reasoningContent: this.reasoning } : {}),
      ...(this.blocks.length ? { thinkingBlocks: this.blocks } : {}),
      ...(toolCalls.length ? { toolCalls } : {}),
      finishReason,
      usage,
    };
  }
}

const isCount = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** An entry read back, or undefined when it is not one this version wrote (then it is a miss). */
export function decodeAnswer(text: string): CachedAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const answer = value as Partial<CachedAnswer>;
  const usage = answer.usage as Partial<Usage> | undefined;
  const valid =
    answer.v === 1 &&
    (answer.content === null || typeof answer.content === "string") &&
    (FINISH_REASONS as readonly unknown[]).includes(answer.finishReason) &&
    typeof usage === "object" &&
    usage !== null &&
    isCount(usage.promptTokens) &&
    isCount(usage.completionTokens) &&
    isCount(usage.cachedReadTokens) &&
    isCount(usage.cacheWriteTokens) &&
    isCount(usage.reasoningTokens) &&
    typeof usage.estimated === "boolean";
  return valid ? (answer as CachedAnswer) : undefined;
}
