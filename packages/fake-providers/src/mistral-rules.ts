import type { ErrorReply, FakeToolCall, WireFormat } from "./types";
import { isRecord } from "./util";

/**
 * Mistral's tool-call ids are 9 letters and digits, and it refuses any other: "Tool call id was
 * call_0fypS1hVX but must be a-z, A-Z, 0-9, with a length of 9." — 400, type
 * `invalid_function_call`, code "3280", raw_status_code 400 (as reported in nearai/ironclaw#1241,
 * zed-industries/zed#53034 and mistralai/mistral-vibe#1075; the validation is mistral-common's).
 */
export const MISTRAL_TOOL_CALL_ID = /^[a-zA-Z0-9]{9}$/;

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** The id of a call the fake makes: the behavior's, or 9 random alphanumerics as Mistral's. */
export function mistralToolCallId(call: FakeToolCall): string {
  if (call.id !== undefined) return call.id;
  let id = "";
  for (let i = 0; i < 9; i += 1) id += ALPHANUMERIC[Math.floor(Math.random() * ALPHANUMERIC.length)];
  return id;
}

/**
 * Every field Mistral's request schema knows; any other is refused (pydantic `extra_forbidden`).
 * Source: mistralai/client-ts src/models/components/chatcompletionrequest.ts
 * (ChatCompletionRequest$Outbound) and the message, tool call and tool types it names.
 */
const REQUEST_FIELDS = new Set([
  "model",
  "temperature",
  "top_p",
  "max_tokens",
  "stream",
  "stop",
  "random_seed",
  "metadata",
  "messages",
  "response_format",
  "tools",
  "tool_choice",
  "presence_penalty",
  "frequency_penalty",
  "n",
  "prediction",
  "parallel_tool_calls",
  "reasoning_effort",
  "prompt_mode",
  "guardrails",
  "prompt_cache_key",
  "safe_prompt",
]);
/** systemmessage.ts, usermessage.ts, assistantmessage.ts, toolmessage.ts (`*$Outbound`). */
const MESSAGE_FIELDS: Record<string, Set<string>> = {
  system: new Set(["role", "content"]),
  user: new Set(["role", "content"]),
  assistant: new Set(["role", "content", "tool_calls", "prefix"]),
  tool: new Set(["role", "content", "tool_call_id", "name"]),
};
/** toolcall.ts, functioncall.ts. */
const TOOL_CALL_FIELDS = new Set(["id", "type", "function", "index"]);
const FUNCTION_CALL_FIELDS = new Set(["name", "arguments"]);
/** tool.ts, function.ts: `parameters` is required. */
const TOOL_FIELDS = new Set(["type", "function"]);
const FUNCTION_FIELDS = new Set(["name", "description", "strict", "parameters"]);

interface ValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

function extras(
  record: Record<string, unknown>,
  allowed: Set<string>,
  loc: (string | number)[],
): ValidationDetail[] {
  return Object.keys(record)
    .filter((key) => !allowed.has(key))
    .map((key) => ({
      type: "extra_forbidden",
      loc: [...loc, key],
      msg: "Extra inputs are not permitted",
      input: record[key],
    }));
}

/** Unknown fields, and the required ones a tool lacks. */
function unknownFields(body: Record<string, unknown>): ValidationDetail[] {
  const found = extras(body, REQUEST_FIELDS, ["body"]);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message, i) => {
    if (!isRecord(message) || typeof message.role !== "string") return;
    const allowed = MESSAGE_FIELDS[message.role];
    if (!allowed) return;
    const loc = ["body", "messages", i, message.role];
    found.push(...extras(message, allowed, loc));
    if (message.role !== "assistant" || !Array.isArray(message.tool_calls)) return;
    message.tool_calls.forEach((call, j) => {
      if (!isRecord(call)) return;
      found.push(...extras(call, TOOL_CALL_FIELDS, [...loc, "tool_calls", j]));
      if (isRecord(call.function)) {
        found.push(...extras(call.function, FUNCTION_CALL_FIELDS, [...loc, "tool_calls", j, "function"]));
      }
    });
  });
  const tools = Array.isArray(body.tools) ? body.tools : [];
  tools.forEach((tool, i) => {
    if (!isRecord(tool) || (tool.type !== undefined && tool.type !== "function")) return;
    found.push(...extras(tool, TOOL_FIELDS, ["body", "tools", i]));
    if (!isRecord(tool.function)) return;
    const loc = ["body", "tools", i, "function"];
    found.push(...extras(tool.function, FUNCTION_FIELDS, loc));
    if (tool.function.parameters === undefined) {
      found.push({
        type: "missing",
        loc: [...loc, "parameters"],
        msg: "Field required",
        input: tool.function,
      });
    }
  });
  return found;
}

/** The tool-call ids of a body: the assistant's calls and the tool results answering them. */
function toolCallIds(body: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (!isRecord(message)) continue;
    if (message.role === "assistant" && Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        if (isRecord(call) && typeof call.id === "string") ids.push(call.id);
      }
    }
    if (message.role === "tool" && typeof message.tool_call_id === "string") ids.push(message.tool_call_id);
  }
  return ids;
}

/** The bodies Mistral refuses, each rule with its source. */
export function validateMistral(body: unknown): ErrorReply | undefined {
  if (!isRecord(body)) return undefined;
  // 422 with the pydantic details as `message` (an object), as the API answers them: as reported
  // in nomtek/mistralai_client_dart#44, Gage-Technologies/mistral-go#2, eca#231 (max_completion_tokens),
  // charmbracelet/crush#1590 (assistant reasoning_content).
  const detail = unknownFields(body);
  if (detail.length > 0) {
    return {
      status: 422,
      body: {
        object: "error",
        message: { detail },
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    };
  }
  const badId = toolCallIds(body).find((id) => !MISTRAL_TOOL_CALL_ID.test(id));
  if (badId !== undefined) {
    return {
      status: 400,
      body: {
        object: "error",
        message: `Tool call id was ${badId} but must be a-z, A-Z, 0-9, with a length of 9.`,
        type: "invalid_function_call",
        param: null,
        code: "3280",
        raw_status_code: 400,
      },
    };
  }
  return undefined;
}

/** The Mistral wire: the validation above on top of the shared one. */
export function withMistralRules(wire: WireFormat): WireFormat {
  return { ...wire, validate: validateMistral };
}
