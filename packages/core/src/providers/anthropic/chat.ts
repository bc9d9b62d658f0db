import { compact, parseDataUrl, parseToolArguments, stopSequences, textOf } from "../content";
import { type ChatMessage, type ChatRequest, requestedMaxTokens, type ToolChoice } from "../schema";
import { type CallContext, DEFAULT_ANTHROPIC_MAX_TOKENS } from "../types";
import { NON_STREAMING_MAX_TOKENS } from "./long-call";
import { thinkingFor, wantsThinking } from "./thinking";
import { anthropicToolId } from "./tool-ids";

export { mapAnthropicStopReason, parseAnthropicResponse } from "./response";

/** Messages API request translation. */

type Block = Record<string, unknown>;

interface AnthropicMessage {
  role: "user" | "assistant";
  content: string | Block[];
}

function imageBlock(url: string): Block {
  const inline = parseDataUrl(url);
  return inline
    ? { type: "image", source: { type: "base64", media_type: inline.mimeType, data: inline.data } }
    : { type: "image", source: { type: "url", url } };
}

/** Our content as Anthropic blocks; Anthropic rejects empty text blocks, so they are dropped. */
function contentBlocks(content: ChatMessage["content"]): Block[] {
  if (content === null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return content.flatMap((part): Block[] => {
    if (part.type === "image_url") return [imageBlock(part.image_url.url)];
    return part.text === "" ? [] : [{ type: "text", text: part.text }];
  });
}

function asBlocks(content: AnthropicMessage["content"]): Block[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

function toAnthropic(message: ChatMessage, thinking: boolean): AnthropicMessage | undefined {
  switch (message.role) {
    case "system":
      return undefined;
    case "tool":
      return {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: anthropicToolId(message.tool_call_id ?? ""),
            content: textOf(message.content),
          },
        ],
      };
    case "user":
    case "assistant": {
      const calls = message.role === "assistant" ? (message.tool_calls ?? []) : [];
      // Thinking blocks go back first in their turn, unchanged ("Thinking blocks must be passed
      // back unmodified and in their original order", anthropic-sdk-typescript ThinkingBlockParam);
      // only when this request thinks: without thinking they are not needed.
      const thoughts = message.role === "assistant" && thinking ? (message.thinking_blocks ?? []) : [];
      if (
        calls.length === 0 &&
        thoughts.length === 0 &&
        typeof message.content === "string" &&
        message.content !== ""
      ) {
        return { role: message.role, content: message.content };
      }
      const said: Block[] = [
        ...contentBlocks(message.content),
        ...calls.map((call) => ({
          type: "tool_use",
          id: anthropicToolId(call.id),
          name: call.function.name,
          input: parseToolArguments(call.function.arguments),
        })),
      ];
      // "The final block in an assistant message cannot be `thinking`" (400, as reported in
      // tailcallhq/forgecode#2107): blocks with nothing after them are not sent.
      const content: Block[] =
        said.length > 0 ? [...thoughts.map((block): Block => ({ ...block })), ...said] : [];
      return content.length > 0 ? { role: message.role, content } : undefined;
    }
  }
}

const TOOL_RESULT = new Set(["tool_result"]);
const THINKING = new Set(["thinking", "redacted_thinking"]);

/**
 * Consecutive same-role turns (e.g. tool results, then a user question) become one turn. In a
 * user turn the tool_result blocks come first: "tool result blocks must come FIRST in the content
 * array. Any text must come AFTER all tool results" (400 otherwise;
 * https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use). In an assistant
 * turn the thinking blocks come first ("a final assistant message must start with a thinking
 * block", https://docs.claude.com/en/docs/build-with-claude/extended-thinking).
 */
function mergeTurns(messages: AnthropicMessage[]): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  for (const message of messages) {
    const last = out[out.length - 1];
    if (last && last.role === message.role)
      last.content = [...asBlocks(last.content), ...asBlocks(message.content)];
    else out.push({ ...message });
  }
  for (const message of out) {
    if (typeof message.content === "string") continue;
    // Tool results first in a user turn; thinking first in an assistant turn made of two of ours.
    const first = message.role === "user" ? TOOL_RESULT : THINKING;
    const leading = message.content.filter((block) => first.has(String(block.type)));
    if (leading.length > 0) {
      message.content = [...leading, ...message.content.filter((block) => !first.has(String(block.type)))];
    }
  }
  return out;
}

/**
 * OpenAI's tool_choice, with `parallel_tool_calls: false` as Anthropic's
 * `disable_parallel_tool_use: true` (anthropic-sdk-typescript ToolChoiceAuto/Any/Tool; ToolChoiceNone
 * has no such field: with no tool use there is nothing to serialise).
 */
function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Block | undefined {
  let block: Block | undefined;
  if (choice === undefined) block = undefined;
  else if (typeof choice !== "string") block = { type: "tool", name: choice.function.name };
  else if (choice === "required") block = { type: "any" };
  else block = { type: choice };
  if (parallel !== false || block?.type === "none") return block;
  return { ...(block ?? { type: "auto" }), disable_parallel_tool_use: true };
}

/**
 * The output cap. Anthropic requires max_tokens; without one from the client the service gives the
 * model's maximum output (ctx.defaultMaxTokens). A stream takes it whole; a non-streamed call is
 * capped at what the official SDK allows without streaming (NON_STREAMING_MAX_TOKENS): a plain
 * non-streamed answer stays a single short-lived request, and 21,333 tokens is far more than a
 * client that set no cap usually gets from OpenAI's default.
 */
export function anthropicMaxTokens(req: ChatRequest, ctx: CallContext, stream: boolean): number {
  const requested = requestedMaxTokens(req);
  if (requested !== undefined) return requested;
  const fallback = ctx.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  return stream ? fallback : Math.min(fallback, NON_STREAMING_MAX_TOKENS);
}

/** OpenAI's service tier names → Anthropic's (see adjust.ts for why). */
function serviceTier(tier: ChatRequest["service_tier"]): string | undefined {
  if (tier === undefined || tier === "flex") return undefined;
  return tier === "default" ? "standard_only" : "auto";
}

export function buildAnthropicBody(
  req: ChatRequest,
  ctx: CallContext,
  stream: boolean,
): Record<string, unknown> {
  const system = req.messages
    .filter((message) => message.role === "system")
    .map((message) => textOf(message.content, "\n"))
    .filter((text) => text !== "")
    .join("\n\n");
  const thinkingOn = wantsThinking(req);
  const messages = mergeTurns(
    req.messages
      .map((message) => toAnthropic(message, thinkingOn))
      .filter((message): message is AnthropicMessage => message !== undefined),
  );
  const tools = req.tools ?? [];
  const maxTokens = anthropicMaxTokens(req, ctx, stream);
  const { thinking, effort } = thinkingFor(req, maxTokens);
  const schema = req.response_format?.type === "json_schema" ? req.response_format.json_schema : undefined;
  // Structured outputs: `output_config.format: {type: "json_schema", schema}` and the effort level
  // (anthropic-sdk-typescript OutputConfig, JSONOutputFormat).
  const outputConfig = compact({
    effort,
    format: schema ? { type: "json_schema", schema: schema.schema ?? { type: "object" } } : undefined,
  });
  return compact({
    model: req.model,
    max_tokens: maxTokens,
    system: system === "" ? undefined : system,
    messages,
    // Already within Anthropic's range: the catalog rules (adjust) clamp and report.
    temperature: req.temperature,
    top_p: req.top_p,
    stop_sequences: stopSequences(req.stop),
    tools:
      tools.length > 0
        ? tools.map((tool) =>
            compact({
              name: tool.function.name,
              description: tool.function.description,
              input_schema: tool.function.parameters ?? { type: "object", properties: {} },
            }),
          )
        : undefined,
    tool_choice: tools.length > 0 ? toolChoice(req.tool_choice, req.parallel_tool_calls) : undefined,
    thinking,
    output_config: Object.keys(outputConfig).length > 0 ? outputConfig : undefined,
    metadata: req.user ? { user_id: req.user } : undefined,
    service_tier: serviceTier(req.service_tier),
    stream: stream ? true : undefined,
  });
}
