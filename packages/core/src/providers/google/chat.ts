import { randomUUID } from "node:crypto";
import { z } from "zod";
import { compact, guessMimeType, parseDataUrl, parseToolArguments, stopSequences, textOf } from "../content";
import { isRecord, malformedResponse } from "../errors";
import { type ChatMessage, type ChatRequest, requestedMaxTokens, type ToolChoice } from "../schema";
import { estimateUsage } from "../tokens";
import type { ChatResult, FinishReason, ToolCall } from "../types";
import { geminiUsageSchema, normalizeGeminiUsage } from "./usage";

/** generateContent request and response translation. */

type Part = Record<string, unknown>;

interface Content {
  role: "user" | "model";
  parts: Part[];
}

function partsOf(content: ChatMessage["content"]): Part[] {
  if (content === null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  const parts: Part[] = [];
  for (const part of content) {
    if (part.type === "text") {
      if (part.text !== "") parts.push({ text: part.text });
      continue;
    }
    const inline = parseDataUrl(part.image_url.url);
    parts.push(
      inline
        ? { inlineData: { mimeType: inline.mimeType, data: inline.data } }
        : { fileData: { mimeType: guessMimeType(part.image_url.url), fileUri: part.image_url.url } },
    );
  }
  return parts;
}

/** Gemini wants a tool's result as an object: a JSON object result as is, anything else wrapped. */
function toolResponse(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) return parsed;
  } catch {
    // Not JSON: wrap the text.
  }
  return { content: text };
}

function toContents(messages: readonly ChatMessage[]): Content[] {
  // Gemini's functionResponse needs the function's name; OpenAI's tool messages only have the call id.
  const toolNames = new Map<string, string>();
  const contents: Content[] = [];
  for (const message of messages) {
    let content: Content;
    switch (message.role) {
      case "system":
        continue;
      case "user":
        content = { role: "user", parts: partsOf(message.content) };
        break;
      case "assistant": {
        const calls = message.tool_calls ?? [];
        for (const call of calls) toolNames.set(call.id, call.function.name);
        content = {
          role: "model",
          parts: [
            ...partsOf(message.content),
            ...calls.map((call) => ({
              functionCall: { name: call.function.name, args: parseToolArguments(call.function.arguments) },
            })),
          ],
        };
        break;
      }
      case "tool": {
        const name = message.name ?? toolNames.get(message.tool_call_id ?? "") ?? "";
        content = {
          role: "user",
          parts: [{ functionResponse: { name, response: toolResponse(textOf(message.content)) } }],
        };
        break;
      }
    }
    if (content.parts.length === 0) continue;
    const last = contents[contents.length - 1];
    // Consecutive same-role turns are merged (several tool results answer one model turn).
    if (last && last.role === content.role) last.parts.push(...content.parts);
    else contents.push(content);
  }
  return contents;
}

function toolConfig(choice: ToolChoice): Record<string, unknown> {
  if (typeof choice !== "string") {
    return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
  }
  const mode = choice === "required" ? "ANY" : choice === "none" ? "NONE" : "AUTO";
  return { functionCallingConfig: { mode } };
}

export function geminiChatPath(model: string, stream: boolean): string {
  const id = encodeURIComponent(model.replace(/^models\//, ""));
  return `/v1beta/models/${id}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`;
}

export function buildGoogleBody(req: ChatRequest): Record<string, unknown> {
  const system = req.messages
    .filter((message) => message.role === "system")
    .map((message) => textOf(message.content, "\n"))
    .filter((text) => text !== "")
    .join("\n\n");
  const format = req.response_format;
  const generationConfig = compact({
    temperature: req.temperature,
    topP: req.top_p,
    maxOutputTokens: requestedMaxTokens(req),
    stopSequences: stopSequences(req.stop),
    presencePenalty: req.presence_penalty,
    frequencyPenalty: req.frequency_penalty,
    seed: req.seed,
    responseMimeType: format && format.type !== "text" ? "application/json" : undefined,
    responseJsonSchema: format?.type === "json_schema" ? format.json_schema.schema : undefined,
  });
  const tools = req.tools ?? [];
  return compact({
    contents: toContents(req.messages),
    systemInstruction: system === "" ? undefined : { parts: [{ text: system }] },
    generationConfig: Object.keys(generationConfig).length > 0 ? generationConfig : undefined,
    tools:
      tools.length > 0
        ? [
            {
              functionDeclarations: tools.map((tool) =>
                compact({
                  name: tool.function.name,
                  description: tool.function.description,
                  parameters: tool.function.parameters,
                }),
              ),
            },
          ]
        : undefined,
    toolConfig: tools.length > 0 && req.tool_choice ? toolConfig(req.tool_choice) : undefined,
  });
}

const CONTENT_FILTER_REASONS = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/** Gemini says STOP after a function call too; OpenAI clients expect tool_calls then. */
export function mapGeminiFinishReason(
  reason: string | null | undefined,
  hasToolCalls: boolean,
): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (reason && CONTENT_FILTER_REASONS.has(reason)) return "content_filter";
  return hasToolCalls ? "tool_calls" : "stop";
}

const partSchema = z.object({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  functionCall: z
    .object({ name: z.string(), args: z.record(z.string(), z.unknown()).nullish(), id: z.string().nullish() })
    .nullish(),
});

export const geminiResponseSchema = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(partSchema).nullish() }).nullish(),
        finishReason: z.string().nullish(),
      }),
    )
    .nullish(),
  usageMetadata: geminiUsageSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
});

export type GeminiPart = z.output<typeof partSchema>;

export function geminiToolCallId(): string {
  return `call_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

/** The visible text (thought summaries excluded) and the function calls of a candidate's parts. */
export function splitParts(parts: readonly GeminiPart[]): { text: string | undefined; calls: ToolCall[] } {
  let text: string | undefined;
  const calls: ToolCall[] = [];
  for (const part of parts) {
    if (typeof part.text === "string" && !part.thought) text = (text ?? "") + part.text;
    if (part.functionCall) {
      calls.push({
        id: part.functionCall.id ?? geminiToolCallId(),
        type: "function",
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
      });
    }
  }
  return { text, calls };
}

export function parseGoogleResponse(json: unknown, req: ChatRequest): Omit<ChatResult, "providerRequestId"> {
  const parsed = geminiResponseSchema.safeParse(json);
  if (!parsed.success)
    throw malformedResponse("google", `unexpected shape (${parsed.error.issues[0]?.message})`);
  const response = parsed.data;
  const candidate = response.candidates?.[0];
  const { text, calls } = splitParts(candidate?.content?.parts ?? []);
  const blocked = !candidate && response.promptFeedback?.blockReason;
  const usage = response.usageMetadata
    ? normalizeGeminiUsage(response.usageMetadata)
    : estimateUsage(req, (text ?? "") + calls.map((c) => c.function.name + c.function.arguments).join(""));
  return {
    id: response.responseId ?? `gemini-${randomUUID()}`,
    model: response.modelVersion ?? req.model,
    content: text ?? null,
    role: "assistant",
    finishReason: blocked
      ? "content_filter"
      : mapGeminiFinishReason(candidate?.finishReason, calls.length > 0),
    ...(calls.length > 0 ? { toolCalls: calls } : {}),
    usage,
  };
}
