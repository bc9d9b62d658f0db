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

function parts(reply: Reply, text: string): unknown[] {
  const out: unknown[] = [];
  if (text !== "" || reply.toolCalls.length === 0) out.push({ text });
  for (const call of reply.toolCalls) out.push({ functionCall: { name: call.name, args: call.arguments } });
  return out;
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

  completion(reply) {
    return {
      candidates: [
        {
          content: { parts: parts(reply, reply.chunks.join("")), role: "model" },
          finishReason: reply.finishReason ?? "STOP",
          index: 0,
        },
      ],
      usageMetadata: reply.rawUsage ?? usageFor(reply.usage),
      modelVersion: reply.model,
      responseId: nextId("fake-response-"),
    };
  },

  streamFrames(reply) {
    const responseId = nextId("fake-response-");
    const usage = reply.rawUsage ?? usageFor(reply.usage);
    // Intermediate chunks carry the prompt count only; the last one has everything.
    const partialUsage = {
      promptTokenCount: usage.promptTokenCount,
      totalTokenCount: usage.promptTokenCount,
    };
    const frame = (candidate: Record<string, unknown>, last: boolean) =>
      `data: ${JSON.stringify({
        candidates: [{ ...candidate, index: 0 }],
        ...(reply.withUsage ? { usageMetadata: last ? usage : partialUsage } : {}),
        modelVersion: reply.model,
        responseId,
      })}\r\n\r\n`;
    const frames: StreamFrame[] = reply.chunks.map((text) => ({
      text: frame({ content: { parts: [{ text }], role: "model" } }, false),
      content: true,
    }));
    for (const call of reply.toolCalls) {
      frames.push({
        text: frame(
          {
            content: { parts: [{ functionCall: { name: call.name, args: call.arguments } }], role: "model" },
          },
          false,
        ),
        content: true,
      });
    }
    frames.push({
      text: frame(
        { content: { parts: [{ text: "" }], role: "model" }, finishReason: reply.finishReason ?? "STOP" },
        true,
      ),
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
