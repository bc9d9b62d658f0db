import type { z } from "zod";

/**
 * OpenAI's rules for names of functions and of json_schema response formats: "Must be a-z, A-Z,
 * 0-9, or contain underscores and dashes, with a maximum length of 64" (openai/openai-node
 * src/resources/shared.ts, `FunctionDefinition.name` and `ResponseFormatJSONSchema.JSONSchema.name`).
 */
export const OPENAI_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const NAME_RULE = "must be 1 to 64 characters of a-z, A-Z, 0-9, _ or -";

/** The part of a chat body the rules read; both surfaces' schemas have these fields. */
interface ToolRulesInput {
  messages: readonly {
    role: string;
    tool_call_id?: string | undefined;
    tool_calls?: readonly { id: string }[] | undefined;
  }[];
  tools?: readonly { function: { name: string } }[] | undefined;
  tool_choice?: string | { function: { name: string } } | undefined;
  parallel_tool_calls?: boolean | undefined;
  response_format?: { type: string; json_schema?: { name: string } } | undefined;
}

/**
 * The cross-field rules of a chat body, shared by /v1, /api and tRPC (each surface's schema runs
 * them in a superRefine), so a body every provider would refuse is a 400 naming the field before
 * any provider is called, instead of a provider error (or an adapter's 500) after.
 */
export function checkToolRules(body: ToolRulesInput, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  const tools = body.tools ?? [];
  const names = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    const name = tool.function.name;
    if (!OPENAI_NAME.test(name)) issue(["tools", i, "function", "name"], NAME_RULE);
    // Anthropic refuses a request naming two tools alike ("Tool names must be unique", as its API
    // answers), and no provider can tell which of two same-named tools the model called.
    else if (names.has(name)) issue(["tools", i, "function", "name"], `duplicate tool name "${name}"`);
    names.add(name);
  }
  // OpenAI refuses both without tools: "Invalid value for 'tool_choice': 'tool_choice' is only
  // allowed when 'tools' are specified." and the same for 'parallel_tool_calls' (its API's answer,
  // as reported in e.g. Upsonic/Upsonic#323 and camel-ai/camel#3706); we do the same everywhere.
  if (tools.length === 0) {
    if (body.tool_choice !== undefined) issue(["tool_choice"], "is only allowed when tools are given");
    if (body.parallel_tool_calls !== undefined)
      issue(["parallel_tool_calls"], "is only allowed when tools are given");
  } else if (typeof body.tool_choice === "object" && !names.has(body.tool_choice.function.name)) {
    issue(
      ["tool_choice", "function", "name"],
      `names no tool of tools ("${body.tool_choice.function.name}")`,
    );
  }
  const format = body.response_format;
  if (format?.type === "json_schema" && format.json_schema && !OPENAI_NAME.test(format.json_schema.name))
    issue(["response_format", "json_schema", "name"], NAME_RULE);
  checkToolMessages(body.messages, issue);
}

/**
 * A tool message answers a call of the assistant message before it: OpenAI refuses any other
 * ("messages with role 'tool' must be a response to a preceding message with 'tool_calls'", its
 * API's answer as reported in e.g. FoundationAgents/OpenManus#744), Anthropic needs each
 * tool_result to follow its tool_use, and Gemini pairs responses to calls by position.
 */
function checkToolMessages(
  messages: ToolRulesInput["messages"],
  issue: (path: (string | number)[], message: string) => void,
): void {
  let callIds: Set<string> | undefined;
  for (const [i, message] of messages.entries()) {
    if (message.role === "assistant") {
      callIds = new Set((message.tool_calls ?? []).map((call) => call.id));
      continue;
    }
    if (message.role !== "tool") continue;
    if (message.tool_call_id === undefined) {
      issue(["messages", i, "tool_call_id"], "is required on a tool message");
    } else if (!callIds?.has(message.tool_call_id)) {
      issue(
        ["messages", i, "tool_call_id"],
        `answers no tool call of the assistant message before it ("${message.tool_call_id}")`,
      );
    }
  }
}
