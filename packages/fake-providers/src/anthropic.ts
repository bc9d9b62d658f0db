import { inspectAnthropic } from "./inspect";
import type { ErrorReply, FakeUsage, StreamFrame, WireFormat } from "./types";
import { headerValue, isRecord, nextId, randomHex, toolCallId } from "./util";

/** Anthropic Messages API (`POST /v1/messages`). */

function usageFor(u: FakeUsage): Record<string, unknown> {
  const cachedRead = u.cachedRead ?? 0;
  const cacheWrite = u.cacheWrite ?? 0;
  // input_tokens excludes cache reads and writes.
  return {
    input_tokens: u.prompt - cachedRead - cacheWrite,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cachedRead,
    output_tokens: u.completion,
    service_tier: "standard",
  };
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

  completion(reply) {
    const content: unknown[] = [];
    const text = reply.chunks.join("");
    if (text !== "" || reply.toolCalls.length === 0) content.push({ type: "text", text });
    reply.toolCalls.forEach((call, i) => {
      content.push({ type: "tool_use", id: toolCallId(call, i), name: call.name, input: call.arguments });
    });
    return {
      id: nextId("msg_fake_"),
      type: "message",
      role: "assistant",
      model: reply.model,
      content,
      stop_reason: reply.finishReason ?? (reply.toolCalls.length > 0 ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage: reply.rawUsage ?? usageFor(reply.usage),
    };
  },

  streamFrames(reply) {
    const usage = reply.rawUsage ?? usageFor(reply.usage);
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
    if (reply.chunks.length > 0 || reply.toolCalls.length === 0) {
      push(sse("content_block_start", { index, content_block: { type: "text", text: "" } }));
      push(sse("ping", {}));
      for (const text of reply.chunks) {
        push(sse("content_block_delta", { index, delta: { type: "text_delta", text } }), true);
      }
      push(sse("content_block_stop", { index }));
      index += 1;
    }
    reply.toolCalls.forEach((call, i) => {
      push(
        sse("content_block_start", {
          index,
          content_block: { type: "tool_use", id: toolCallId(call, i), name: call.name, input: {} },
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
    });
    push(
      sse("message_delta", {
        delta: {
          stop_reason: reply.finishReason ?? (reply.toolCalls.length > 0 ? "tool_use" : "end_turn"),
          stop_sequence: null,
        },
        ...(reply.withUsage ? { usage: { output_tokens: usage.output_tokens } } : {}),
      }),
    );
    push(sse("message_stop", {}));
    return frames;
  },

  error,

  models(ids) {
    return {
      data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" })),
      has_more: false,
      first_id: ids[0] ?? null,
      last_id: ids[ids.length - 1] ?? null,
    };
  },
};
