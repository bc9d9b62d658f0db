import type { ServerResponse } from "node:http";
import { type ChatCall, type ErrorFields, errorFields, type Services, streamChatCached } from "@llmg/api";
import { totalTokens, type Usage } from "@llmg/core";

/** Usage in OpenAI's shape, as /v1 answers and every stream's usage chunk carry it. */
export function openAiUsage(usage: Usage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: totalTokens(usage),
    // cache_write_tokens: OpenAI's name (openai-node CompletionUsage.PromptTokensDetails), a subset of
    // prompt_tokens like cached_tokens, told for every provider that reports cache writes.
    prompt_tokens_details: {
      cached_tokens: usage.cachedReadTokens,
      cache_write_tokens: usage.cacheWriteTokens,
    },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

export interface StreamInfo {
  id: string;
  created: number;
  /** The model as the caller named it, echoed in every chunk. */
  model: string;
  /** Whether the usage chunk (with `cost_usd`) goes out before [DONE]. */
  includeUsage: boolean;
  requestId: string;
  /** The body of an error that happens once the stream has begun, in the surface's own shape. */
  errorBody(fields: ErrorFields, requestId: string): unknown;
}

/** Aborted when the response closes before we ended it: the client went away. */
export function clientGone(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableEnded) abort.abort();
  });
  return abort.signal;
}

/**
 * Sends the status and headers of an event stream at once. The cost is known only at the end:
 * it follows as the x-llmg-cost-usd trailer.
 */
export function startEventStream(res: ServerResponse, headers: Record<string, string>): void {
  res.statusCode = 200;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader("content-type", "text/event-stream; charset=utf-8");
  res.setHeader("cache-control", "no-cache");
  res.setHeader("connection", "keep-alive");
  res.setHeader("trailer", "x-llmg-cost-usd");
  res.flushHeaders();
}

/** Settles once the client took what was queued for it, or went away. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * A streamed chat answer as Server-Sent Events of OpenAI's `chat.completion.chunk`s, shared by
 * /v1 and POST /api/chat/completions. An error before the first byte is thrown, for the surface
 * to answer in its own shape and status; once the stream has begun, an error travels as one last
 * `data:` event in the surface's error shape (`info.errorBody`), as OpenAI's streams do.
 */
export async function sendChatStream(
  services: Services,
  res: ServerResponse,
  call: ChatCall,
  info: StreamInfo,
): Promise<void> {
  try {
    await streamCompletion(services, res, call, info);
  } catch (error) {
    if (!res.headersSent) throw error;
    // A client that is not reading gets no more bytes queued for it: its connection is dropped.
    if (res.writableNeedDrain) {
      res.destroy();
      return;
    }
    if (!res.writableEnded)
      res.end(`data: ${JSON.stringify(info.errorBody(errorFields(error), info.requestId))}\n\n`);
  }
}

async function streamCompletion(services: Services, res: ServerResponse, call: ChatCall, info: StreamInfo) {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: info.id, object: "chat.completion.chunk", created: info.created, model: info.model, choices, ...extra })}\n\n`;
  let first = true;
  const done = await streamChatCached(services, call, {
    signal: clientGone(res),
    // The cost follows as a trailer and in the usage chunk.
    onStart: (headers) => startEventStream(res, headers),
    onEvent(event) {
      if (event.type !== "delta") return;
      const delta: Record<string, unknown> = {};
      if (first) delta.role = "assistant";
      first = false;
      if (event.content !== undefined) delta.content = event.content;
      if (event.reasoningContent !== undefined) delta.reasoning_content = event.reasoningContent;
      if (event.thinkingBlocks) delta.thinking_blocks = event.thinkingBlocks;
      if (event.toolCalls) delta.tool_calls = event.toolCalls;
      if (res.write(chunk([{ index: 0, delta, finish_reason: null, logprobs: null }]))) return undefined;
      return drained(res);
    },
  });
  if (first) {
    // A stream that produced no delta still opens with the assistant role, as OpenAI's do.
    res.write(
      chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null }]),
    );
  }
  res.write(chunk([{ index: 0, delta: {}, finish_reason: done.finishReason, logprobs: null }]));
  if (info.includeUsage) {
    res.write(chunk([], { usage: { ...openAiUsage(done.usage), cost_usd: done.cost.totalCost } }));
  }
  res.addTrailers({ "x-llmg-cost-usd": done.cost.totalCost });
  res.end("data: [DONE]\n\n");
}
