import type { ProviderId } from "../provider-ids";
import type { ChatRequest, ChatRequestInput } from "./schema";
import { chatRequestSchema } from "./schema";
import type { CallContext, StreamDeltaEvent, StreamDoneEvent, StreamEvent } from "./types";

/** Helpers for the adapter tests (not exported from the package). */

export const TEST_MODELS: Record<ProviderId, string> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-sonnet-4-5",
  google: "gemini-2.5-flash",
  deepseek: "deepseek-chat",
  mistral: "mistral-small-latest",
};

export function testContext(baseUrl: string, overrides: Partial<CallContext> = {}): CallContext {
  return {
    apiKey: "test-key",
    baseUrl,
    timeouts: { connectMs: 1_000, totalMs: 3_000 },
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1_000 },
    ...overrides,
  };
}

/** A request as the server would hand it over: validated (and defaulted) by the schema. */
export function chatRequest(input: Partial<ChatRequestInput> & { model: string }): ChatRequest {
  return chatRequestSchema.parse({ messages: [{ role: "user", content: "Say hello." }], ...input });
}

export interface Collected {
  deltas: StreamDeltaEvent[];
  done: StreamDoneEvent;
  text: string;
  events: StreamEvent[];
}

export async function collect(stream: AsyncIterable<StreamEvent>): Promise<Collected> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  const deltas = events.filter((event): event is StreamDeltaEvent => event.type === "delta");
  const done = events[events.length - 1];
  if (done?.type !== "done") throw new Error("stream did not end with a done event");
  if (events.filter((event) => event.type === "done").length !== 1)
    throw new Error("more than one done event");
  return { deltas, done, text: deltas.map((delta) => delta.content ?? "").join(""), events };
}

/** Collects until the stream throws; returns what came before and the error. */
export async function collectUntilError(
  stream: AsyncIterable<StreamEvent>,
): Promise<{ events: StreamEvent[]; error: unknown }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    return { events, error };
  }
  throw new Error(`stream ended without an error after ${events.length} events`);
}

export async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}
