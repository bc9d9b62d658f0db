import { randomBytes } from "node:crypto";
import type { ErrorReply, FakeToolCall } from "./types";
import { isRecord } from "./util";

/**
 * What OpenAI's Chat Completions API refuses of a body it can parse, each rule with its source:
 * the official SDK's types (openai-node src/resources/...), OpenAI's guides, or, where a rule is
 * known only from the API's answers, the GitHub thread quoting the error. Answers are 400s in
 * OpenAI's shape `{error: {message, type: "invalid_request_error", param, code}}`.
 */

function refuse(message: string, param: string | null, code: string | null): ErrorReply {
  return { status: 400, body: { error: { message, type: "invalid_request_error", param, code } } };
}

/** A dated snapshot (`o3-2025-04-16`) follows the rules of its model. */
const SNAPSHOT = /-\d{4}-\d{2}-\d{2}$/;

/**
 * OpenAI's reasoning models: the o-series and the gpt-5 family, not the `-chat` variants, which
 * take the classic sampling parameters (github.com/CopilotKit/CopilotKit/pull/7191 quoting
 * community.openai.com/t/temperature-in-gpt-5-models/1337133: "GPT-5-chat-latest does support
 * temperature").
 */
const REASONING = /^(o1|o3|o3-mini|o4-mini|gpt-5(\.\d+)?(-mini|-nano|-luna|-sol|-terra)?)$/;
/** gpt-5.1 and later take temperature/top_p with reasoning_effort "none" (github.com/vercel/ai/issues/10932, quoting platform.openai.com/docs/guides/latest-model). */
const SAMPLING_WITH_NO_EFFORT = /^gpt-5\.\d+/;
/** "Function tools with reasoning_effort are not supported for gpt-5.4 in /v1/chat/completions. Please use /v1/responses instead." (github.com/pipecat-ai/pipecat/issues/4043, github.com/Science-Discovery/Aether/issues/1026 for gpt-5.5). */
const TOOLS_REFUSE_EFFORT = /^gpt-5\.(4|5)$/;
/** gpt-5.6 applies a default effort, so function tools need an explicit "none" (github.com/BerriAI/litellm/pull/34569, github.com/livekit/agents/pull/7169). */
const TOOLS_NEED_NO_EFFORT = /^gpt-5\.6(-luna|-sol|-terra)?$/;

/**
 * The reasoning_effort values a model takes, where known (sources in core's
 * catalog/param-rules/openai.ts): o-series low..high; gpt-5 adds minimal; gpt-5.1 none..high
 * (github.com/openai/openai-agents-python/issues/2089); gpt-5.2 and gpt-5.6 none..xhigh
 * (github.com/livekit/agents/pull/7169 for gpt-5.6).
 */
function effortsOf(model: string): readonly string[] | undefined {
  if (/^o\d/.test(model)) return ["low", "medium", "high"];
  if (/^gpt-5(-mini|-nano)?$/.test(model)) return ["minimal", "low", "medium", "high"];
  if (model === "gpt-5.1") return ["none", "low", "medium", "high"];
  if (model === "gpt-5.2" || TOOLS_NEED_NO_EFFORT.test(model))
    return ["none", "low", "medium", "high", "xhigh"];
  return undefined;
}

/** openai-node src/resources/shared.ts FunctionDefinition.name / ResponseFormatJSONSchema.JSONSchema.name: "a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64". */
const NAME = /^[a-zA-Z0-9_-]+$/;

function checkName(name: unknown, param: string): ErrorReply | undefined {
  if (typeof name !== "string") return undefined;
  if (name.length > 64) {
    return refuse(
      `Invalid '${param}': string too long. Expected a string with maximum length 64, but got a string with length ${name.length} instead.`,
      param,
      "string_above_max_length",
    );
  }
  if (!NAME.test(name)) {
    return refuse(
      `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
      param,
      "invalid_value",
    );
  }
  return undefined;
}

/** Python's tuple repr, as the API prints the schema path: (), ('items',), ('properties', 'a'). */
function context(path: readonly string[]): string {
  const items = path.map((part) => `'${part}'`);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

/**
 * Strict mode's schema rules (platform.openai.com/docs/guides/structured-outputs#supported-schemas,
 * "additionalProperties: false must always be set in objects" and "all fields must be required"),
 * answered as "Invalid schema for function 'f': In context=(), 'additionalProperties' is required
 * to be supplied and to be false." (param tools[i].function.parameters, code
 * invalid_function_parameters; as reported in github.com/xemantic/xemantic-ai-tool-schema/issues/37
 * and github.com/lastmile-ai/openai-agents-mcp/issues/2 for a nested object).
 */
function strictSchemaProblem(schema: unknown, path: string[] = []): string | undefined {
  if (!isRecord(schema)) return undefined;
  const properties = isRecord(schema.properties) ? schema.properties : undefined;
  if (schema.type === "object" || properties) {
    if (schema.additionalProperties !== false) {
      return `In context=${context(path)}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = Object.keys(properties ?? {}).filter((key) => !required.includes(key));
    if (missing.length > 0) {
      return `In context=${context(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    }
  }
  for (const [key, value] of Object.entries(properties ?? {})) {
    const problem = strictSchemaProblem(value, [...path, "properties", key]);
    if (problem) return problem;
  }
  if (schema.items !== undefined) {
    const problem = strictSchemaProblem(schema.items, [...path, "items"]);
    if (problem) return problem;
  }
  for (const keyword of ["anyOf", "$defs", "definitions"] as const) {
    const nested = schema[keyword];
    const entries = Array.isArray(nested)
      ? nested.map((value, i) => [String(i), value] as const)
      : isRecord(nested)
        ? Object.entries(nested)
        : [];
    for (const [key, value] of entries) {
      const problem = strictSchemaProblem(value, [...path, keyword, key]);
      if (problem) return problem;
    }
  }
  return undefined;
}

function checkTools(body: Record<string, unknown>): ErrorReply | undefined {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const [i, tool] of tools.entries()) {
    const fn = isRecord(tool) && isRecord(tool.function) ? tool.function : undefined;
    if (!fn) continue;
    const bad = checkName(fn.name, `tools[${i}].function.name`);
    if (bad) return bad;
    if (fn.strict === true) {
      const problem = strictSchemaProblem(fn.parameters ?? { type: "object", properties: {} });
      if (problem) {
        return refuse(
          `Invalid schema for function '${String(fn.name)}': ${problem}`,
          `tools[${i}].function.parameters`,
          "invalid_function_parameters",
        );
      }
    }
  }
  // "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified."
  // (as reported in github.com/writer/writer-framework/pull/1013); the same for
  // parallel_tool_calls (github.com/Upsonic/Upsonic/issues/323).
  for (const field of ["tool_choice", "parallel_tool_calls"] as const) {
    if (body[field] !== undefined && body[field] !== null && tools.length === 0) {
      return refuse(
        `Invalid value for '${field}': '${field}' is only allowed when 'tools' are specified.`,
        field,
        null,
      );
    }
  }
  return undefined;
}

function checkResponseFormat(body: Record<string, unknown>): ErrorReply | undefined {
  const format = body.response_format;
  if (!isRecord(format) || format.type !== "json_schema" || !isRecord(format.json_schema)) return undefined;
  const { name, strict, schema } = format.json_schema;
  const bad = checkName(name, "response_format.json_schema.name");
  if (bad) return bad;
  if (strict === true) {
    const problem = strictSchemaProblem(schema);
    // The structured-outputs guide's rules, in the function error's form for a response format.
    if (problem)
      return refuse(
        `Invalid schema for response_format '${String(name)}': ${problem}`,
        "response_format",
        null,
      );
  }
  return undefined;
}

/**
 * A `tool` message answers a call of the assistant message before it, and every call is answered
 * before the next other message: "Invalid parameter: messages with role 'tool' must be a response to
 * a preceeding message with 'tool_calls'." (param messages.[i].role; as reported in
 * github.com/smarter-sh/smarter/issues/264) and "An assistant message with 'tool_calls' must be
 * followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not
 * have response messages: call_..." (param messages.[i].role of the assistant message; as reported
 * in github.com/router-for-me/CLIProxyAPI/issues/2798).
 */
function checkToolMessages(messages: unknown[]): ErrorReply | undefined {
  let asked: { index: number; ids: Set<string>; open: Set<string> } | undefined;
  const unanswered = () =>
    refuse(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...(asked?.open ?? [])].join(", ")}`,
      `messages.[${asked?.index}].role`,
      null,
    );
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message)) continue;
    if (message.role === "tool") {
      const id = typeof message.tool_call_id === "string" ? message.tool_call_id : undefined;
      if (!asked || id === undefined || !asked.ids.has(id)) {
        return refuse(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
          null,
        );
      }
      asked.open.delete(id);
      continue;
    }
    if (asked && asked.open.size > 0) return unanswered();
    asked = undefined;
    if (message.role === "assistant" && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      const ids = message.tool_calls
        .map((call) => (isRecord(call) && typeof call.id === "string" ? call.id : undefined))
        .filter((id): id is string => id !== undefined);
      asked = { index: i, ids: new Set(ids), open: new Set(ids) };
    }
  }
  if (asked && asked.open.size > 0) return unanswered();
  return undefined;
}

/** The sampling controls the reasoning models refuse (see REASONING). */
function checkReasoningModel(model: string, body: Record<string, unknown>): ErrorReply | undefined {
  // openai-node src/resources/chat/completions/completions.ts: max_tokens "is not compatible with
  // o-series models"; the answer as reported in github.com/griptape-ai/ComfyUI-Griptape/issues/312.
  if (body.max_tokens !== undefined && body.max_tokens !== null) {
    return refuse(
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      "max_tokens",
      "unsupported_parameter",
    );
  }
  const effort = body.reasoning_effort;
  const sampling = !(SAMPLING_WITH_NO_EFFORT.test(model) && effort === "none");
  // "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1)
  // value is supported." (as reported in github.com/gabrii/Cursor-Azure-GPT-5/issues/33,
  // github.com/ItzCrazyKns/Vane/issues/1173 for gpt-5.6).
  if (sampling && typeof body.temperature === "number" && body.temperature !== 1) {
    return refuse(
      `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`,
      "temperature",
      "unsupported_value",
    );
  }
  // top_p as reported in github.com/HIllya51/LunaTranslator/issues/1842; the penalties per
  // platform.openai.com/docs/guides/reasoning#limitations (quoted in github.com/vercel/ai/issues/10932).
  // The defaults (top_p 1, penalties 0) pass, as the temperature's does.
  const refused: [string, unknown, number][] = [
    ["top_p", body.top_p, 1],
    ["presence_penalty", body.presence_penalty, 0],
    ["frequency_penalty", body.frequency_penalty, 0],
  ];
  for (const [field, value, neutral] of refused) {
    if ((field !== "top_p" || sampling) && typeof value === "number" && value !== neutral) {
      return refuse(
        `Unsupported parameter: '${field}' is not supported with this model.`,
        field,
        "unsupported_parameter",
      );
    }
  }
  // openai-node ChatCompletionCreateParamsBase.stop: "Not supported with latest reasoning models
  // `o3` and `o4-mini`."
  if ((model === "o3" || model === "o4-mini") && body.stop !== undefined && body.stop !== null) {
    return refuse(
      "Unsupported parameter: 'stop' is not supported with this model.",
      "stop",
      "unsupported_parameter",
    );
  }
  const efforts = effortsOf(model);
  if (typeof effort === "string" && efforts && !efforts.includes(effort)) {
    // "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported
    // values are: 'none', 'low', 'medium', 'high', 'xhigh'." (github.com/livekit/agents/pull/7169)
    return refuse(
      `Unsupported value: 'reasoning_effort' does not support '${effort}' with this model. Supported values are: ${efforts.map((e) => `'${e}'`).join(", ")}.`,
      "reasoning_effort",
      "unsupported_value",
    );
  }
  const withTools = Array.isArray(body.tools) && body.tools.length > 0;
  if (
    withTools &&
    TOOLS_REFUSE_EFFORT.test(model) &&
    effort !== undefined &&
    effort !== null &&
    effort !== "none"
  ) {
    return refuse(
      `Function tools with reasoning_effort are not supported for ${model} in /v1/chat/completions. Please use /v1/responses instead.`,
      "reasoning_effort",
      null,
    );
  }
  if (withTools && TOOLS_NEED_NO_EFFORT.test(model) && effort !== "none") {
    return refuse(
      `Function tools with reasoning_effort are not supported for ${model} in /v1/chat/completions. To use function tools, use /v1/responses or set reasoning_effort to 'none'.`,
      "reasoning_effort",
      null,
    );
  }
  return undefined;
}

export function validateOpenAIChat(body: unknown): ErrorReply | undefined {
  if (!isRecord(body)) return undefined;
  const model = typeof body.model === "string" ? body.model.replace(SNAPSHOT, "") : "";
  if (REASONING.test(model)) {
    const refused = checkReasoningModel(model, body);
    if (refused) return refused;
  } else if (body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
    // As reported in github.com/davidmigloz/langchain_dart/issues/712 (gpt-4o-mini).
    return refuse("Unrecognized request argument supplied: reasoning_effort", null, null);
  }
  return (
    checkTools(body) ??
    checkResponseFormat(body) ??
    (Array.isArray(body.messages) ? checkToolMessages(body.messages) : undefined)
  );
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** OpenAI's call id form, `call_` and 24 alphanumerics (e.g. call_TB0wOPDkvPz2d8VGGaHW99JI, as captured in github.com/BerriAI/litellm/issues/4537). */
export function openAIToolCallId(call: FakeToolCall): string {
  if (call.id) return call.id;
  return `call_${[...randomBytes(24)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join("")}`;
}

/**
 * Names of the request's strict function tools: OpenAI answers a call of one without arguments
 * with `arguments: ""`, not "{}" (github.com/openai/openai-python/pull/3502: "The API returns
 * empty-string arguments (rather than "{}") for strict function tools that take no arguments").
 */
export function strictToolNames(body: unknown): Set<string> {
  const names = new Set<string>();
  if (!isRecord(body) || !Array.isArray(body.tools)) return names;
  for (const tool of body.tools) {
    if (isRecord(tool) && isRecord(tool.function) && tool.function.strict === true) {
      if (typeof tool.function.name === "string") names.add(tool.function.name);
    }
  }
  return names;
}
