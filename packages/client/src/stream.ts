import type { RouterInputs } from "./app-router.js";
import type { LlmgClientOptions } from "./index.js";

export type ChatInput = RouterInputs["chat"]["completions"];

/** One `chat.completion.chunk` event of a streamed answer (OpenAI's shape). */
export interface ChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: "assistant";
      content?: string;
      reasoning_content?: string;
      thinking_blocks?: (
        | { type: "thinking"; thinking: string; signature: string }
        | { type: "redacted_thinking"; data: string }
      )[];
      tool_calls?: {
        index: number;
        id?: string;
        type?: "function";
        function?: { name?: string; arguments?: string };
        extra_content?: { google?: { thought_signature?: string } };
      }[];
    };
    finish_reason: "stop" | "length" | "tool_calls" | "content_filter" | null;
  }[];
  /** On the last chunk only (its `choices` is empty): the usage and the exact cost. */
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    cost_usd: string;
  };
}

/** A refused or failed stream: our error envelope's code, message and request id. */
export class LlmgStreamError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = "LlmgStreamError";
  }
}

interface Envelope {
  success: false;
  error: string;
  message: string;
  request_id?: string;
}

const isEnvelope = (value: unknown): value is Envelope =>
  typeof value === "object" && value !== null && (value as { success?: unknown }).success === false;

/**
 * The key as a Bearer header; without one (a browser signed in with the session cookie) the
 * cookie authenticates, and this POST changes something, so it carries the session's CSRF token.
 */
function streamHeaders(options: LlmgClientOptions): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey !== undefined) {
    headers.authorization = `Bearer ${options.apiKey}`;
    return headers;
  }
  const csrf = options.csrfToken?.();
  if (csrf !== undefined) headers["x-llmg-csrf"] = csrf;
  return headers;
}

/**
 * POST /api/chat/completions with `stream: true` (tRPC answers in one piece, so streams go over
 * the REST route): yields each chunk as it arrives, the last one carrying usage and `cost_usd`.
 * A refusal before the stream, or an error event during it, is thrown as an LlmgStreamError.
 */
export async function* streamChat(
  options: LlmgClientOptions,
  input: Omit<ChatInput, "stream">,
  signal?: AbortSignal,
): AsyncGenerator<ChatChunk> {
  const doFetch = options.fetch ?? fetch;
  const res = await doFetch(`${options.baseUrl.replace(/\/+$/, "")}/api/chat/completions`, {
    method: "POST",
    headers: streamHeaders(options),
    body: JSON.stringify({ ...input, stream: true }),
    // A browser signed in with the session cookie sends it (same origin only); a key needs none.
    credentials: "same-origin",
    ...(signal ? { signal } : {}),
  });
  if (!res.ok || !res.body) {
    const body: unknown = await res.json().catch(() => undefined);
    if (isEnvelope(body)) throw new LlmgStreamError(res.status, body.error, body.message, body.request_id);
    throw new LlmgStreamError(res.status, "http_error", `HTTP ${res.status}`, undefined);
  }
  const decoder = new TextDecoder();
  let buffer = "";
  // A reader rather than `for await` over the body: browsers without async-iterable streams
  // (Safari) read it too. Leaving early (a consumer's break, [DONE], an error) cancels it.
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (!event.startsWith("data: ")) continue;
        const data = event.slice("data: ".length);
        if (data === "[DONE]") return;
        const parsed: unknown = JSON.parse(data);
        if (isEnvelope(parsed))
          throw new LlmgStreamError(res.status, parsed.error, parsed.message, parsed.request_id);
        yield parsed as ChatChunk;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  throw new LlmgStreamError(res.status, "stream_incomplete", "The stream ended before [DONE]", undefined);
}
