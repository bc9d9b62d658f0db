import { randomUUID } from "node:crypto";
import { z } from "zod";
import { geminiThinkingFor, isGemini3 } from "../../catalog/param-rules/google";
import type { Usage } from "../../usage";
import { compact, guessMimeType, parseDataUrl, parseToolArguments, stopSequences, textOf } from "../content";
import { isRecord, malformedResponse, ProviderError } from "../errors";
import { type ChatMessage, type ChatRequest, requestedMaxTokens, type ToolChoice } from "../schema";
import { estimateUsage } from "../tokens";
import type { ChatResult, FinishReason, ToolCall } from "../types";
import { thinkingConfig } from "./thinking";
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

/**
 * The signature Gemini 3 accepts on a call it did not make (another provider's, or one whose
 * signature the client dropped): ai.google.dev/gemini-api/docs/thought-signatures FAQ allows the
 * dummies "context_engineering_is_the_way_to_go" and "skip_thought_signature_validator"; the
 * latter also works on Vertex AI (cloud.google.com/vertex-ai/generative-ai/docs/thought-signatures)
 * and was checked live as a plain string by vercel/ai#15560.
 */
export const DUMMY_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

/**
 * The function calls of one assistant turn, each with the signature the client sent back
 * (`extra_content.google.thought_signature`, Google's OpenAI-compatible shape). On Gemini 3 the
 * first call of a step must carry one (docs/thought-signatures: parallel calls have it on the
 * first only), so a turn without one there gets the dummy.
 */
function functionCallParts(calls: readonly ToolCall[], gemini3: boolean): Part[] {
  return calls.map((call, i) => {
    const signature =
      call.extra_content?.google?.thought_signature ??
      (i === 0 && gemini3 ? DUMMY_THOUGHT_SIGNATURE : undefined);
    return {
      functionCall: { name: call.function.name, args: parseToolArguments(call.function.arguments) },
      ...(signature === undefined ? {} : { thoughtSignature: signature }),
    };
  });
}

function toContents(messages: readonly ChatMessage[], gemini3: boolean): Content[] {
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
          parts: [...partsOf(message.content), ...functionCallParts(calls, gemini3)],
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
    thinkingConfig:
      req.reasoning_effort === undefined
        ? undefined
        : thinkingConfig(req.reasoning_effort, geminiThinkingFor(req.model)),
    responseMimeType: format && format.type !== "text" ? "application/json" : undefined,
    responseJsonSchema: format?.type === "json_schema" ? format.json_schema.schema : undefined,
  });
  const tools = req.tools ?? [];
  return compact({
    contents: toContents(req.messages, isGemini3(req.model)),
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
                  // JSON Schema as OpenAI clients write it ($schema, $defs, $ref,
                  // additionalProperties, type arrays) goes in parametersJsonSchema; `parameters`
                  // takes only Gemini's OpenAPI subset (js-genai src/types.ts FunctionDeclaration).
                  parametersJsonSchema: tool.function.parameters,
                }),
              ),
            },
          ]
        : undefined,
    toolConfig: tools.length > 0 && req.tool_choice ? toolConfig(req.tool_choice) : undefined,
  });
}

/** js-genai src/types.ts FinishReason: output withheld by a filter. */
const CONTENT_FILTER_REASONS = new Set([
  "SAFETY",
  "LANGUAGE",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/**
 * The model's tool call was unusable (js-genai src/types.ts FinishReason: "The function call
 * generated by the model is invalid", "The tool call generated by the model is invalid", "Model
 * called too many tools consecutively"): no answer an OpenAI client can use, yet billed.
 */
export const TOOL_FAILURE_REASONS = new Set([
  "MALFORMED_FUNCTION_CALL",
  "UNEXPECTED_TOOL_CALL",
  "TOO_MANY_TOOL_CALLS",
]);

/** A 502 naming the reason, carrying the usage the provider billed so the call is charged. */
export function toolFailure(
  reason: string,
  message: string | null | undefined,
  usage: Usage | undefined,
): ProviderError {
  const error = new ProviderError(`google ended the answer with ${reason}${message ? `: ${message}` : ""}`, {
    status: 502,
    provider: "google",
    providerCode: reason,
  });
  if (usage) error.partialUsage = usage;
  return error;
}

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
  thoughtSignature: z.string().nullish(),
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
        finishMessage: z.string().nullish(),
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

/**
 * The visible text, the thought summaries (`thought: true` parts, docs/thinking) and the function
 * calls of a candidate's parts. A call's thoughtSignature travels as
 * `extra_content.google.thought_signature` (Google's OpenAI-compatible shape, ai.google.dev/gemini-api/docs/openai).
 */
export function splitParts(parts: readonly GeminiPart[]): {
  text: string | undefined;
  reasoning: string | undefined;
  calls: ToolCall[];
} {
  let text: string | undefined;
  let reasoning: string | undefined;
  const calls: ToolCall[] = [];
  for (const part of parts) {
    if (typeof part.text === "string" && part.thought) reasoning = (reasoning ?? "") + part.text;
    else if (typeof part.text === "string") text = (text ?? "") + part.text;
    if (part.functionCall) {
      calls.push({
        id: part.functionCall.id ?? geminiToolCallId(),
        type: "function",
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
        ...(part.thoughtSignature
          ? { extra_content: { google: { thought_signature: part.thoughtSignature } } }
          : {}),
      });
    }
  }
  return { text, reasoning, calls };
}

export function parseGoogleResponse(json: unknown, req: ChatRequest): Omit<ChatResult, "providerRequestId"> {
  const parsed = geminiResponseSchema.safeParse(json);
  if (!parsed.success)
    throw malformedResponse("google", `unexpected shape (${parsed.error.issues[0]?.message})`);
  const response = parsed.data;
  const candidate = response.candidates?.[0];
  const { text, reasoning, calls } = splitParts(candidate?.content?.parts ?? []);
  const blocked = !candidate && response.promptFeedback?.blockReason;
  const usage = response.usageMetadata
    ? normalizeGeminiUsage(response.usageMetadata)
    : estimateUsage(req, (text ?? "") + calls.map((c) => c.function.name + c.function.arguments).join(""));
  const reason = candidate?.finishReason;
  if (reason && TOOL_FAILURE_REASONS.has(reason)) throw toolFailure(reason, candidate?.finishMessage, usage);
  return {
    id: response.responseId ?? `gemini-${randomUUID()}`,
    model: response.modelVersion ?? req.model,
    content: text ?? null,
    role: "assistant",
    finishReason: blocked
      ? "content_filter"
      : mapGeminiFinishReason(candidate?.finishReason, calls.length > 0),
    ...(calls.length > 0 ? { toolCalls: calls } : {}),
    ...(reasoning === undefined ? {} : { reasoningContent: reasoning }),
    usage,
  };
}
