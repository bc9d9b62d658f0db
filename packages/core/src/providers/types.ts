import type { ModelInfo } from "../catalog/types";
import type { EgressGuard } from "../egress";
import type { ProviderId } from "../provider-ids";
import type { Usage } from "../usage";
import type { AdjustedRequest } from "./adjust";
import type { ChatRequest, ThinkingBlock, ToolCallExtra } from "./schema";

/** Finish reasons in OpenAI's vocabulary; every provider's reason is mapped onto one of these. */
export const FINISH_REASONS = ["stop", "length", "tool_calls", "content_filter"] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
  /** Provider state the client must send back with the call (Gemini 3's thought signature). */
  extra_content?: ToolCallExtra;
}

/** A fragment of a tool call in a stream, as OpenAI streams them (`arguments` arrive in pieces). */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
  extra_content?: ToolCallExtra;
}

export interface ChatResult {
  id: string;
  /** The model as the provider reported it (may be a dated snapshot of the requested id). */
  model: string;
  content: string | null;
  role: "assistant";
  finishReason: FinishReason;
  toolCalls?: ToolCall[];
  /** The model's visible reasoning (DeepSeek reasoning_content, Anthropic thinking, Gemini thought summaries). */
  reasoningContent?: string;
  /** Anthropic thinking blocks, signatures included, for the client to send back in a tool loop. */
  thinkingBlocks?: ThinkingBlock[];
  usage: Usage;
  providerRequestId?: string;
}

export interface StreamDeltaEvent {
  type: "delta";
  content?: string;
  toolCalls?: ToolCallDelta[];
  reasoningContent?: string;
  /** Whole blocks, each sent once it is complete (its signature arrives last). */
  thinkingBlocks?: ThinkingBlock[];
}

export interface StreamDoneEvent {
  type: "done";
  finishReason: FinishReason;
  /** `usage.estimated` is true when the provider did not report (all of) it. */
  usage: Usage;
  id?: string;
  model?: string;
  providerRequestId?: string;
}

export type StreamEvent = StreamDeltaEvent | StreamDoneEvent;

/** The events of one streamed completion, plus what it has cost so far. */
export interface ChatStream extends AsyncIterable<StreamEvent> {
  /**
   * Usage up to now: the provider's once `done` was yielded, otherwise estimated from the text
   * streamed so far (e.g. after the consumer broke out because its client went away). Undefined
   * until the provider accepted the request.
   */
  usageSoFar(): Usage | undefined;
}

export interface TimeoutConfig {
  /** TCP + TLS connect. */
  connectMs: number;
  /**
   * Non-streaming: the whole call, retries and backoff included. Streaming: the wait for the
   * response headers (retries included), then the longest allowed gap between two body chunks.
   */
  totalMs: number;
  /**
   * Streaming only: the absolute deadline of the whole call, however steadily the provider keeps
   * sending (DEFAULT_STREAM_TIMEOUT_MS when unset).
   */
  streamMs?: number;
}

/** How much of a provider's answer is read before the call ends with a 502. */
export interface ResponseLimits {
  /** A non-streamed body, and any single event of a stream. */
  maxResponseBytes: number;
  /** Everything a stream sends, all events together. */
  maxStreamBytes: number;
}

export interface RetryConfig {
  /** Retries after the first attempt (0 disables retrying). */
  maxRetries: number;
  baseDelayMs: number;
  /** Cap of one backoff delay; a `retry-after` above it is not waited for. */
  maxDelayMs: number;
}

export interface CallContext {
  apiKey: string;
  /** The provider's base URL in the form of the table in providers.md (OpenAI's ends in /v1). */
  baseUrl: string;
  /** Used when the request has no max_tokens and the provider requires one (Anthropic). */
  defaultMaxTokens?: number;
  timeouts: TimeoutConfig;
  retry: RetryConfig;
  /** DEFAULT_RESPONSE_LIMITS when unset. */
  limits?: ResponseLimits;
  signal?: AbortSignal;
  /**
   * Set when baseUrl is untrusted (a user's own base_url): every connection is checked by it and
   * error texts carry no bytes of the answer's body.
   */
  egress?: EgressGuard;
}

export type CredentialContext = Pick<CallContext, "apiKey" | "baseUrl" | "signal" | "egress"> & {
  timeouts?: TimeoutConfig;
};

export interface CredentialTestResult {
  ok: boolean;
  /** The provider's HTTP status, when it answered. */
  status?: number;
  latencyMs: number;
  error?: string;
}

/** What `adjust` needs to know of the model called: its catalog identity. */
export type AdjustModel = Pick<ModelInfo, "provider" | "id" | "aliases">;

export interface ProviderAdapter {
  readonly id: ProviderId;
  readonly defaultBaseUrl: string;
  /**
   * Makes `req` acceptable to the model: its catalog parameter rules and the fields the provider
   * cannot map. Call before chat()/chatStream(); every change is listed for x-llmg-adjusted-params.
   */
  adjust(req: ChatRequest, model: AdjustModel): AdjustedRequest;
  chat(req: ChatRequest, ctx: CallContext): Promise<ChatResult>;
  /**
   * Lazily sends the request on the first `next()`. Yields deltas as they arrive and exactly one
   * final `done`. Breaking out of the loop aborts the upstream request. Failures throw a
   * ProviderError; once deltas were yielded it carries `partialUsage`.
   */
  chatStream(req: ChatRequest, ctx: CallContext): ChatStream;
  /** Calls the provider's list-models endpoint; never throws. */
  testCredential(ctx: CredentialContext): Promise<CredentialTestResult>;
}

export const DEFAULT_TIMEOUTS: Readonly<TimeoutConfig> = Object.freeze({
  connectMs: 10_000,
  totalMs: 300_000,
});
export const DEFAULT_RETRY: Readonly<RetryConfig> = Object.freeze({
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
});
export const DEFAULT_STREAM_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_RESPONSE_LIMITS: Readonly<ResponseLimits> = Object.freeze({
  maxResponseBytes: 32 * 1024 * 1024,
  maxStreamBytes: 256 * 1024 * 1024,
});
/** Timeouts of a credential test when the caller gives none. */
export const CREDENTIAL_TEST_TIMEOUTS: Readonly<TimeoutConfig> = Object.freeze({
  connectMs: 5_000,
  totalMs: 15_000,
});
/** Anthropic requires max_tokens; used when neither the request nor the context sets one. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;
