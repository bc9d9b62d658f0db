import { issueThoughtSignature, validateGoogle, wantsThoughts } from "./google-rules";
import { isGemini3 } from "./google-thinking";
import { inspectGoogle } from "./inspect";
import type { ErrorReply, FakeUsage, Reply, StreamFrame, WireFormat } from "./types";
import { headerValue, nextId } from "./util";

/** Google Gemini API (`generateContent` / `streamGenerateContent?alt=sse`). */

function usageFor(u: FakeUsage): Record<string, unknown> {
  const cached = u.cachedRead ?? 0;
  const thoughts = u.reasoning ?? 0;
  // promptTokenCount includes cached tokens; thoughts are NOT part of candidatesTokenCount.
  return {
    promptTokenCount: u.prompt,
    candidatesTokenCount: u.completion - thoughts,
    totalTokenCount: u.prompt + u.completion,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: u.prompt }],
  };
}

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

function error(status: number, message: string, errorType?: string): ErrorReply {
  const name = errorType ?? STATUS_NAMES[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
  return { status, body: { error: { code: status, message, status: name } } };
}

const CHAT_PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** The summary a thinking model returns as a `thought: true` part when includeThoughts is set (docs/thinking). */
export const FAKE_THOUGHT_SUMMARY =
  "**Weighing the request**\n\nI considered what was asked before answering.";

/**
 * Finish reasons after which the candidate has no content: the model's output was refused (the
 * js-genai src/types.ts FinishReason list; "When streaming, [content][] is empty if content
 * filters blocks the output") or its function call was unusable. `finishMessage` says why.
 */
const EMPTY_FINISH: Record<string, string | undefined> = {
  MALFORMED_FUNCTION_CALL: "Malformed function call: the model's call could not be parsed.",
  UNEXPECTED_TOOL_CALL: "Unexpected tool call: the model called a tool that is not enabled.",
  TOO_MANY_TOOL_CALLS: "Too many tool calls: the model called tools too many times in a row.",
  SAFETY: undefined,
  LANGUAGE: undefined,
  PROHIBITED_CONTENT: undefined,
  BLOCKLIST: undefined,
  SPII: undefined,
  RECITATION: undefined,
};

/**
 * The model's parts: thought summary first when asked for, then the text, then the calls. On
 * Gemini 3 the first functionCall part of a step carries the thoughtSignature (parallel calls:
 * only the first, docs/thought-signatures), and an answer without calls has one on its last part.
 */
function modelParts(reply: Reply, text: string, request: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (wantsThoughts(request)) out.push({ text: FAKE_THOUGHT_SUMMARY, thought: true });
  if (text !== "" || reply.toolCalls.length === 0) out.push({ text });
  reply.toolCalls.forEach((call, i) => {
    out.push({
      functionCall: { name: call.name, args: call.arguments },
      ...(i === 0 && isGemini3(reply.model) ? { thoughtSignature: issueThoughtSignature(reply.model) } : {}),
    });
  });
  if (reply.toolCalls.length === 0 && isGemini3(reply.model)) {
    out[out.length - 1] = { ...out[out.length - 1], thoughtSignature: issueThoughtSignature(reply.model) };
  }
  return out;
}

function candidate(parts: Record<string, unknown>[] | undefined, finish?: string) {
  const emptied = finish !== undefined && finish in EMPTY_FINISH;
  const message = finish === undefined ? undefined : EMPTY_FINISH[finish];
  return {
    ...(emptied || parts === undefined ? {} : { content: { parts, role: "model" } }),
    ...(finish === undefined ? {} : { finishReason: finish }),
    ...(message === undefined ? {} : { finishMessage: message }),
    index: 0,
  };
}

export const googleWire: WireFormat = {
  inspect: inspectGoogle,
  basePath: "",
  defaultModels: ["gemini-2.5-flash", "gemini-2.0-flash"],

  route(method, path) {
    const [pathname = "", query = ""] = path.split("?");
    const match = CHAT_PATH.exec(pathname);
    if (method === "POST" && match) {
      const stream = match[2] === "streamGenerateContent";
      // This fake only speaks the SSE flavour of streaming (the JSON-array one is not used by llmg).
      if (stream && !new URLSearchParams(query).getAll("alt").includes("sse")) return undefined;
      return { kind: "chat", stream, model: decodeURIComponent(match[1] ?? "") };
    }
    if (method === "GET" && pathname === "/v1beta/models") return { kind: "models" };
    return undefined;
  },

  checkAuth(headers, path, apiKey) {
    const key =
      headerValue(headers, "x-goog-api-key") ??
      new URLSearchParams(path.split("?")[1] ?? "").get("key") ??
      undefined;
    if (key === undefined) {
      return error(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (key === apiKey) return undefined;
    // Gemini answers a bad key with 400 INVALID_ARGUMENT, not 401.
    const reply = error(400, "API key not valid. Please pass a valid API key.");
    const body = reply.body as { error: Record<string, unknown> };
    body.error.details = [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "API_KEY_INVALID",
        domain: "googleapis.com",
        metadata: { service: "generativelanguage.googleapis.com" },
      },
    ];
    return reply;
  },

  validate: validateGoogle,

  completion(reply, request) {
    const finish = reply.finishReason ?? "STOP";
    return {
      candidates: [candidate(modelParts(reply, reply.chunks.join(""), request), finish)],
      usageMetadata: reply.rawUsage ?? usageFor(reply.usage),
      modelVersion: reply.model,
      responseId: nextId("fake-response-"),
    };
  },

  streamFrames(reply, request) {
    const responseId = nextId("fake-response-");
    const usage = reply.rawUsage ?? usageFor(reply.usage);
    // Intermediate chunks carry the prompt count only; the last one has everything.
    const partialUsage = {
      promptTokenCount: usage.promptTokenCount,
      totalTokenCount: usage.promptTokenCount,
    };
    const frame = (candidateJson: Record<string, unknown>, last: boolean) =>
      `data: ${JSON.stringify({
        candidates: [candidateJson],
        ...(reply.withUsage ? { usageMetadata: last ? usage : partialUsage } : {}),
        modelVersion: reply.model,
        responseId,
      })}\r\n\r\n`;
    const finish = reply.finishReason ?? "STOP";
    const all = modelParts(reply, "", request);
    const thought = all.filter((part) => part.thought === true);
    const calls = all.filter((part) => part.functionCall !== undefined);
    // Without calls, Gemini 3's signature rides on the last (empty) text part of the stream.
    const closing = all.find((part) => part.thought !== true && part.functionCall === undefined);
    const frames: StreamFrame[] = [];
    if (thought.length > 0) frames.push({ text: frame(candidate(thought), false), content: true });
    for (const text of reply.chunks) {
      frames.push({ text: frame(candidate([{ text }]), false), content: true });
    }
    // A function call arrives whole, all parallel calls of a step in one chunk (Gemini does not
    // stream call arguments in pieces: docs/function-calling).
    if (calls.length > 0) frames.push({ text: frame(candidate(calls), false), content: true });
    frames.push({
      text: frame(candidate(calls.length > 0 ? [{ text: "" }] : [closing ?? { text: "" }], finish), true),
      content: false,
    });
    return frames;
  },

  error,

  models(ids) {
    return {
      models: ids.map((id) => ({
        name: `models/${id}`,
        version: "001",
        displayName: id,
        inputTokenLimit: 1_048_576,
        outputTokenLimit: 65_536,
        supportedGenerationMethods: ["generateContent", "countTokens"],
      })),
    };
  },
};
