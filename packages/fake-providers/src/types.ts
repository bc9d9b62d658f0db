export type FakeProviderId = "openai" | "anthropic" | "google" | "deepseek" | "mistral";

/**
 * Token counts in OpenAI's convention (the one llmg normalises to): `prompt` includes the cache
 * reads and writes, `completion` includes reasoning. Each wire format translates them into what that
 * provider really reports (e.g. Anthropic's `input_tokens` = prompt - cachedRead - cacheWrite), so a
 * correct adapter normalises them back to exactly these numbers. Fields a provider does not report
 * (cache writes at OpenAI, reasoning at Anthropic, ...) are ignored by its wire format.
 */
export interface FakeUsage {
  prompt: number;
  completion: number;
  cachedRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

interface ReplyFields {
  usage?: FakeUsage;
  /** Sent verbatim as the provider's usage object instead of the one derived from `usage`. */
  rawUsage?: Record<string, unknown>;
  /** In the provider's own vocabulary ("stop", "end_turn", "MAX_TOKENS", ...). */
  finishReason?: string;
  toolCalls?: FakeToolCall[];
}

/**
 * What the fake does for one request. `success` and `stream` both answer in the mode the request
 * asked for (a streamed `success` splits its content into word chunks; a non-streamed `stream`
 * joins its chunks), so a test can queue either regardless of the call it makes.
 */
export type FakeBehavior =
  | ({ type: "success"; content?: string } & ReplyFields)
  | ({ type: "stream"; chunks?: string[]; chunkDelayMs?: number } & ReplyFields)
  | ({ type: "streamWithoutUsage"; chunks?: string[]; chunkDelayMs?: number } & Omit<
      ReplyFields,
      "usage" | "rawUsage"
    >)
  | {
      type: "error";
      status: number;
      message?: string;
      /** The provider's error type/status string; a sensible one for the status by default. */
      errorType?: string;
      /** `retry-after` header value (seconds or an HTTP date). */
      retryAfter?: string | number;
      headers?: Record<string, string>;
      /** Replaces the provider-shaped error body. */
      body?: unknown;
    }
  /**
   * A stream that fails midway: the provider's content (`chunks`, default none), then its in-stream
   * error event of `errorType` (e.g. Anthropic's overloaded_error, billing_error, timeout_error).
   * A non-streamed request gets the error as a response of `status` (default 500). Wires without
   * in-stream errors answer streams the same way.
   */
  | { type: "streamError"; errorType: string; message?: string; chunks?: string[]; status?: number }
  /** Waits, then does `next` (default: the default behavior). */
  | { type: "delay"; ms: number; next?: FakeBehavior }
  | { type: "malformed"; body?: string }
  | ({ type: "reset"; chunks?: string[]; afterChunks?: number } & ReplyFields)
  /**
   * Hostile: a JSON body of `bytes` bytes (endless when omitted) with `status` (default 200), in
   * either mode. It is written piece by piece as the client reads, never held whole by the fake.
   */
  | { type: "hugeBody"; bytes?: number; status?: number }
  /**
   * Hostile: valid streamed deltas of `text` (default "x") for as long as the client keeps the
   * connection, one per `chunkDelayMs` or, without it, as fast as the client reads.
   */
  | { type: "endlessStream"; text?: string; chunkDelayMs?: number }
  /** Hostile: a stream whose first `data:` line is `bytes` long (default 100 MB) and never ends. */
  | { type: "hugeLine"; bytes?: number };

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw string when it is not JSON; undefined without a body. */
  body: unknown;
  /** True once the client went away before the response was complete. */
  aborted: boolean;
  /** The client's port: equal ports on two requests mean a reused keep-alive connection. */
  remotePort: number | undefined;
}

export interface FakeProviderOptions {
  /** The key the fake accepts. Default "test-key". */
  apiKey?: string;
  /** Ids returned by the list-models endpoint. */
  models?: string[];
  /** Behavior when the queue is empty. Default `{ type: "success" }`. */
  defaultBehavior?: FakeBehavior;
  /**
   * Benchmark mode: fixed precomputed responses (normal or streamed), auth check only, nothing
   * recorded, queue and default ignored.
   */
  instant?: boolean;
}

export interface FakeProvider {
  provider: FakeProviderId;
  /** Base URL in the form the real provider documents (`/v1` included for openai and mistral). */
  url: string;
  port: number;
  apiKey: string;
  requests: RecordedRequest[];
  /** Requests served, including in instant mode (where `requests` stays empty). */
  readonly requestCount: number;
  enqueue(...behaviors: FakeBehavior[]): void;
  setDefault(behavior: FakeBehavior): void;
  /** Forget recorded requests and queued behaviors. */
  reset(): void;
  close(): Promise<void>;
}

/** A reply resolved from a behavior: what to say, independent of streaming or not. */
export interface Reply {
  model: string;
  chunks: string[];
  usage: FakeUsage;
  rawUsage?: Record<string, unknown>;
  /** False for `streamWithoutUsage`. */
  withUsage: boolean;
  finishReason?: string;
  toolCalls: FakeToolCall[];
}

export interface StreamFrame {
  text: string;
  /** True for frames that carry generated text (counted by `reset.afterChunks`). */
  content: boolean;
}

export interface ErrorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Route =
  | { kind: "chat"; stream: boolean; model?: string }
  | { kind: "models" }
  /** A token count of a chat body, without generating (Anthropic's count_tokens). */
  | { kind: "countTokens" };

/** What the tool-call rule needs to know of a chat request, read from the provider's own body shape. */
export interface Conversation {
  /** Names of the tools the request declares, in order. */
  tools: string[];
  /** Text of the last user turn's text parts ("" when the last turn is not a user's text). */
  lastUserText: string;
  /** Results of tool calls carried by the last turn (tool messages, tool_result blocks, functionResponses), in order. */
  toolResults: string[];
}

/** One provider's wire format: the only part of the fake that differs between providers. */
export interface WireFormat {
  /** Path prefix of the base URL (`/v1` for openai and mistral, empty for the others). */
  basePath: string;
  requestIdHeader?: string;
  route(method: string, path: string, body: unknown): Route | undefined;
  checkAuth(headers: RecordedRequest["headers"], path: string, apiKey: string): ErrorReply | undefined;
  /** `request` (the parsed body) lets a wire answer what was asked (thinking, structured output). */
  completion(reply: Reply, request?: unknown): unknown;
  /** SSE frames, already serialised (`data: ...\n\n`). */
  streamFrames(reply: Reply, request: unknown): StreamFrame[];
  error(status: number, message: string, errorType?: string): ErrorReply;
  /** A stream's frames ending in the provider's in-stream error event instead of its normal end. */
  streamErrorFrames?(reply: Reply, request: unknown, errorType: string, message: string): StreamFrame[];
  /**
   * The provider's own validation of a chat body: the error the real API answers to a body it
   * refuses (each rule cites its source), or undefined when the real API would accept it.
   */
  validate?(body: unknown, route: Extract<Route, { kind: "chat" }>): ErrorReply | undefined;
  /** Reads the conversation for the deterministic tool-call rule (see `toolRule.ts`). */
  inspect(body: unknown): Conversation;
  models(ids: string[]): unknown;
  defaultModels: string[];
  /** The answer to a `countTokens` route: the count, or the error the real API gives the body. */
  countTokens?(body: unknown): { ok: unknown } | { error: ErrorReply };
}
