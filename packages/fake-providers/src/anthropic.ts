import { anthropicViolation, thinkingEnabled } from "./anthropic-rules";
import { FAKE_THINKING, signThinking, toolUseId } from "./anthropic-thinking";
import { inspectAnthropic } from "./inspect";
import { sampleForSchema } from "./json-sample";
import type { ErrorReply, FakeToolCall, FakeUsage, Reply, StreamFrame, WireFormat } from "./types";
import { headerValue, isRecord, nextId, randomHex } from "./util";

/** Anthropic Messages API (`POST /v1/messages`). */

function usageFor(u: FakeUsage, thinking: boolean): Record<string, unknown> {
  const cachedRead = u.cachedRead ?? 0;
  const cacheWrite = u.cacheWrite ?? 0;
  // input_tokens excludes cache reads and writes; output_tokens includes thinking, broken down in
  // output_tokens_details.thinking_tokens (anthropic-sdk-typescript Usage).
  return {
    input_tokens: u.prompt - cachedRead - cacheWrite,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cachedRead,
    output_tokens: u.completion,
    ...(thinking || u.reasoning !== undefined
      ? { output_tokens_details: { thinking_tokens: u.reasoning ?? Math.min(10, u.completion) } }
      : {}),
    service_tier: "standard",
  };
}

/** A real tool_use id (`toolu_...`) unless the behavior gave one. */
const toolId = (call: FakeToolCall): string => call.id ?? toolUseId();

/**
 * What the answer says, given the request: a thinking block first when thinking is on (none right
 * after tool results: "Claude will not output another thinking block until after the next
 * non-tool_result user turn", https://platform.claude.com/cookbook/extended-thinking-extended-thinking-with-tool-use),
 * and JSON matching `output_config.format.schema` for a structured-output request.
 */
function answer(reply: Reply, request: unknown): { thinking?: string; chunks: string[] } {
  const conversation = inspectAnthropic(request);
  const thinking =
    thinkingEnabled(request) && conversation.toolResults.length === 0 ? FAKE_THINKING : undefined;
  let chunks = reply.chunks;
  const config = isRecord(request) && isRecord(request.output_config) ? request.output_config : undefined;
  if (config && isRecord(config.format) && reply.toolCalls.length === 0) {
    const text = chunks.join("");
    let json = true;
    try {
      JSON.parse(text);
    } catch {
      json = false;
    }
    if (!json) {
      const sample = JSON.stringify(sampleForSchema(config.format.schema));
      chunks = [sample.slice(0, Math.ceil(sample.length / 2)), sample.slice(Math.ceil(sample.length / 2))];
    }
  }
  return { ...(thinking ? { thinking } : {}), chunks };
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function error(status: number, message: string, errorType?: string): ErrorReply {
  const type = errorType ?? ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return { status, body: { type: "error", error: { type, message }, request_id: `req_${randomHex(24)}` } };
}

function sse(event: string, data: Record<string, unknown>): string {
  return `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
}

/** message_start and the content blocks (thinking, text, tool_use) of a streamed answer. */
function contentFrames(
  reply: Reply,
  request: unknown,
): { frames: StreamFrame[]; usage: Record<string, unknown> } {
  const said = answer(reply, request);
  const usage = reply.rawUsage ?? usageFor(reply.usage, said.thinking !== undefined);
  const frames: StreamFrame[] = [];
  const push = (text: string, content = false) => frames.push({ text, content });
  push(
    sse("message_start", {
      message: {
        id: nextId("msg_fake_"),
        type: "message",
        role: "assistant",
        model: reply.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The real API reports the input side here and a running output count (1) so far.
        ...(reply.withUsage ? { usage: { ...usage, output_tokens: 1 } } : {}),
      },
    }),
  );
  let index = 0;
  if (said.thinking) {
    // thinking_delta pieces, then the signature in a signature_delta just before the block's
    // content_block_stop (anthropic-sdk-typescript ThinkingDelta, SignatureDelta).
    push(
      sse("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } }),
    );
    const half = Math.ceil(said.thinking.length / 2);
    for (const piece of [said.thinking.slice(0, half), said.thinking.slice(half)]) {
      push(sse("content_block_delta", { index, delta: { type: "thinking_delta", thinking: piece } }), true);
    }
    push(
      sse("content_block_delta", {
        index,
        delta: { type: "signature_delta", signature: signThinking(said.thinking) },
      }),
    );
    push(sse("content_block_stop", { index }));
    index += 1;
  }
  if (said.chunks.length > 0 || reply.toolCalls.length === 0) {
    push(sse("content_block_start", { index, content_block: { type: "text", text: "" } }));
    push(sse("ping", {}));
    for (const text of said.chunks) {
      push(sse("content_block_delta", { index, delta: { type: "text_delta", text } }), true);
    }
    push(sse("content_block_stop", { index }));
    index += 1;
  }
  for (const call of reply.toolCalls) {
    push(
      sse("content_block_start", {
        index,
        content_block: { type: "tool_use", id: toolId(call), name: call.name, input: {} },
      }),
    );
    push(
      sse("content_block_delta", {
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(call.arguments) },
      }),
      true,
    );
    push(sse("content_block_stop", { index }));
    index += 1;
  }
  return { frames, usage };
}

export const anthropicWire: WireFormat = {
  inspect: inspectAnthropic,
  basePath: "",
  requestIdHeader: "request-id",
  defaultModels: ["claude-sonnet-4-5", "claude-haiku-4-5"],

  route(method, path, body) {
    const pathname = path.split("?")[0];
    if (method === "POST" && pathname === "/v1/messages") {
      const model = isRecord(body) && typeof body.model === "string" ? body.model : undefined;
      return { kind: "chat", stream: isRecord(body) && body.stream === true, model };
    }
    if (method === "POST" && pathname === "/v1/messages/count_tokens") return { kind: "countTokens" };
    if (method === "GET" && pathname === "/v1/models") return { kind: "models" };
    return undefined;
  },

  checkAuth(headers, _path, apiKey) {
    if (headerValue(headers, "x-api-key") !== apiKey) return error(401, "invalid x-api-key");
    if (headerValue(headers, "anthropic-version") === undefined) {
      return error(400, "anthropic-version: header is required");
    }
    return undefined;
  },

  validate(body) {
    const violation = anthropicViolation(body);
    return violation === undefined ? undefined : error(400, violation);
  },

  completion(reply, request) {
    const said = answer(reply, request);
    const content: unknown[] = [];
    if (said.thinking) {
      content.push({ type: "thinking", thinking: said.thinking, signature: signThinking(said.thinking) });
    }
    const text = said.chunks.join("");
    if (text !== "" || reply.toolCalls.length === 0) content.push({ type: "text", text });
    for (const call of reply.toolCalls) {
      content.push({ type: "tool_use", id: toolId(call), name: call.name, input: call.arguments });
    }
    return {
      id: nextId("msg_fake_"),
      type: "message",
      role: "assistant",
      model: reply.model,
      content,
      stop_reason: reply.finishReason ?? (reply.toolCalls.length > 0 ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage: reply.rawUsage ?? usageFor(reply.usage, said.thinking !== undefined),
    };
  },

  streamFrames(reply, request) {
    const { frames, usage } = contentFrames(reply, request);
    frames.push({
      text: sse("message_delta", {
        delta: {
          stop_reason: reply.finishReason ?? (reply.toolCalls.length > 0 ? "tool_use" : "end_turn"),
          stop_sequence: null,
        },
        // The cumulative output count, with its thinking breakdown (MessageDeltaUsage).
        ...(reply.withUsage
          ? {
              usage: {
                output_tokens: usage.output_tokens,
                ...(usage.output_tokens_details
                  ? { output_tokens_details: usage.output_tokens_details }
                  : {}),
              },
            }
          : {}),
      }),
      content: false,
    });
    frames.push({ text: sse("message_stop", {}), content: false });
    return frames;
  },

  /**
   * The stream's content, then an `error` event instead of its end: "We may occasionally send
   * errors in the event stream. For example, during periods of high usage, you may receive an
   * overloaded_error" (https://docs.claude.com/en/docs/build-with-claude/streaming#error-events).
   */
  streamErrorFrames(reply, request, errorType, message) {
    const { frames } = contentFrames(reply, request);
    frames.push({ text: sse("error", { error: { type: errorType, message } }), content: false });
    return frames;
  },

  error,

  /**
   * MessageCountTokensParams is MessageCreateParams without max_tokens (and stream): the same
   * rules, then `{input_tokens}` (MessageTokensCount). The count is the fake's own, deterministic:
   * a quarter of the characters of the system prompt, messages and tools as JSON.
   */
  countTokens(body) {
    if (isRecord(body) && body.max_tokens !== undefined) {
      return { error: error(400, "max_tokens: Extra inputs are not permitted") };
    }
    const violation = anthropicViolation(isRecord(body) ? { max_tokens: 1_000_000, ...body } : body);
    if (violation !== undefined) return { error: error(400, violation) };
    if (!isRecord(body) || typeof body.model !== "string")
      return { error: error(400, "model: Field required") };
    const counted = JSON.stringify([body.system ?? null, body.messages, body.tools ?? null]);
    return { ok: { input_tokens: Math.ceil(counted.length / 4) } };
  },

  models(ids) {
    return {
      data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" })),
      has_more: false,
      first_id: ids[0] ?? null,
      last_id: ids[ids.length - 1] ?? null,
    };
  },
};
