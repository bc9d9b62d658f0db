import type { ErrorReply, Reply, StreamFrame, WireFormat } from "./types";
import { isRecord } from "./util";

/**
 * DeepSeek's thinking mode, as https://api-docs.deepseek.com/guides/thinking_mode describes it:
 * `deepseek-reasoner` always thinks, the V4 models think unless `thinking: {type: "disabled"}`,
 * any model thinks with `thinking: {type: "enabled"}`. A thinking answer carries
 * `reasoning_content` beside `content` (message and stream deltas) and counts its reasoning in
 * `completion_tokens_details.reasoning_tokens`.
 */
export const DEEPSEEK_FAKE_REASONING = "The user asked; I will answer.";
/** Reasoning tokens reported when the behavior gives none (inside completion_tokens). */
export const DEEPSEEK_FAKE_REASONING_TOKENS = 8;

const ALWAYS_THINKING = new Set(["deepseek-reasoner"]);
const THINKING_BY_DEFAULT = new Set(["deepseek-v4-pro", "deepseek-v4-flash"]);

export function deepseekThinks(body: unknown): boolean {
  if (!isRecord(body)) return false;
  const model = typeof body.model === "string" ? body.model : "";
  if (ALWAYS_THINKING.has(model)) return true;
  const type = isRecord(body.thinking) ? body.thinking.type : undefined;
  if (type === "enabled") return true;
  if (type === "disabled") return false;
  return THINKING_BY_DEFAULT.has(model);
}

function refuse(wire: WireFormat, message: string): ErrorReply {
  const reply = wire.error(400, message, "invalid_request_error");
  // DeepSeek's 400s carry the type as code too (as reported in deepseek-ai/deepseek-harness#739).
  if (isRecord(reply.body) && isRecord(reply.body.error)) reply.body.error.code = "invalid_request_error";
  return reply;
}

/** The bodies DeepSeek refuses, each rule with its source. */
export function validateDeepSeek(wire: WireFormat, body: unknown): ErrorReply | undefined {
  if (!isRecord(body) || !deepseekThinks(body)) return undefined;
  // "Setting logprobs, top_logprobs will trigger an error."
  // (https://api-docs.deepseek.com/guides/reasoning_model, Not Supported Parameters)
  for (const field of ["logprobs", "top_logprobs"]) {
    if (body[field] !== undefined) return refuse(wire, `${field} is not supported in thinking mode`);
  }
  // "For turns that do perform tool calls, the reasoning_content must be fully passed back to the
  // API in all subsequent requests. If your code does not correctly pass back reasoning_content,
  // the API will return a 400 error." (https://api-docs.deepseek.com/guides/thinking_mode, Tool
  // Calls; message text as reported in deepseek-ai/deepseek-harness#739 and opencode#24122.)
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const message of messages) {
    if (
      isRecord(message) &&
      message.role === "assistant" &&
      Array.isArray(message.tool_calls) &&
      message.tool_calls.length > 0 &&
      typeof message.reasoning_content !== "string"
    ) {
      return refuse(wire, "The `reasoning_content` in the thinking mode must be passed back to the API.");
    }
  }
  return undefined;
}

function withReasoningUsage(reply: Reply): Reply {
  if (reply.usage.reasoning !== undefined) return reply;
  const reasoning = Math.min(DEEPSEEK_FAKE_REASONING_TOKENS, reply.usage.completion);
  return { ...reply, usage: { ...reply.usage, reasoning } };
}

const words = (text: string) => text.match(/\S+\s*/g) ?? [];

/** The DeepSeek wire: thinking answers and the validation above on top of the shared one. */
export function withDeepSeekRules(wire: WireFormat): WireFormat {
  return {
    ...wire,
    validate: (body) => validateDeepSeek(wire, body),

    completion(reply, request) {
      if (!deepseekThinks(request)) return wire.completion(reply, request);
      const out = wire.completion(withReasoningUsage(reply), request) as {
        choices: { message: Record<string, unknown> }[];
      };
      // Same level as content, before the tool calls (thinking_mode guide's API example).
      const { role, content, ...rest } = out.choices[0]!.message;
      out.choices[0]!.message = { role, content, reasoning_content: DEEPSEEK_FAKE_REASONING, ...rest };
      return out;
    },

    streamFrames(reply, request) {
      if (!deepseekThinks(request)) return wire.streamFrames(reply, request);
      const frames = wire.streamFrames(withReasoningUsage(reply), request);
      const first = frames[0];
      if (!first) return frames;
      // The first chunk's shape, with the reasoning as `reasoning_content` and content null.
      const template = JSON.parse(first.text.slice("data: ".length)) as {
        choices: { delta: Record<string, unknown> }[];
      };
      const reasoningFrames: StreamFrame[] = words(DEEPSEEK_FAKE_REASONING).map((piece) => {
        template.choices[0]!.delta = { content: null, reasoning_content: piece };
        return { text: `data: ${JSON.stringify(template)}\n\n`, content: true };
      });
      return [first, ...reasoningFrames, ...frames.slice(1)];
    },
  };
}
