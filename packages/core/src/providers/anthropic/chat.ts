import { z } from "zod";
import { compact, parseDataUrl, parseToolArguments, stopSequences, textOf } from "../content";
import { malformedResponse } from "../errors";
import { type ChatMessage, type ChatRequest, requestedMaxTokens, type ToolChoice } from "../schema";
import {
  type CallContext,
  type ChatResult,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  type FinishReason,
  type ToolCall,
} from "../types";
import { anthropicUsageSchema, normalizeAnthropicUsage } from "./usage";

/** Messages API request and response translation. */

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

function toAnthropic(message: ChatMessage): AnthropicMessage | undefined {
  switch (message.role) {
    case "system":
      return undefined;
    case "tool":
      return {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: message.tool_call_id ?? "", content: textOf(message.content) },
        ],
      };
    case "user":
    case "assistant": {
      const calls = message.role === "assistant" ? (message.tool_calls ?? []) : [];
      if (calls.length === 0 && typeof message.content === "string" && message.content !== "") {
        return { role: message.role, content: message.content };
      }
      const content = [
        ...contentBlocks(message.content),
        ...calls.map((call) => ({
          type: "tool_use",
          id: call.id,
          name: call.function.name,
          input: parseToolArguments(call.function.arguments),
        })),
      ];
      return content.length > 0 ? { role: message.role, content } : undefined;
    }
  }
}

/** Consecutive same-role turns (e.g. tool results, then a user question) become one turn. */
function mergeTurns(messages: AnthropicMessage[]): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  for (const message of messages) {
    const last = out[out.length - 1];
    if (last && last.role === message.role)
      last.content = [...asBlocks(last.content), ...asBlocks(message.content)];
    else out.push({ ...message });
  }
  return out;
}

function toolChoice(choice: ToolChoice): Block {
  if (typeof choice !== "string") return { type: "tool", name: choice.function.name };
  if (choice === "required") return { type: "any" };
  return { type: choice };
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
  const messages = mergeTurns(
    req.messages.map(toAnthropic).filter((message): message is AnthropicMessage => message !== undefined),
  );
  const tools = req.tools ?? [];
  return compact({
    model: req.model,
    max_tokens: requestedMaxTokens(req) ?? ctx.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    system: system === "" ? undefined : system,
    messages,
    // Anthropic's range is 0..1 where OpenAI's is 0..2.
    temperature: req.temperature === undefined ? undefined : Math.min(1, req.temperature),
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
    tool_choice: tools.length > 0 && req.tool_choice ? toolChoice(req.tool_choice) : undefined,
    metadata: req.user ? { user_id: req.user } : undefined,
    stream: stream ? true : undefined,
  });
}

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
    }),
  ),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema,
});

export function parseAnthropicResponse(json: unknown): Omit<ChatResult, "providerRequestId"> {
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success)
    throw malformedResponse("anthropic", `unexpected shape (${parsed.error.issues[0]?.message})`);
  const response = parsed.data;
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of response.content) {
    if (block.type === "text") texts.push(block.text ?? "");
    else if (block.type === "tool_use") {
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
    usage: normalizeAnthropicUsage(response.usage),
  };
}
