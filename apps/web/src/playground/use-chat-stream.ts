import { type ChatInput, LlmgStreamError, streamChat } from "@llmg/client";
import { useCallback, useEffect, useRef, useState } from "react";
import { getCsrfToken } from "../trpc";

export type ChatRequest = Omit<ChatInput, "stream">;

/** The usage chunk's figures: tokens, and the exact cost the gateway charged. */
export interface AnswerUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string;
}

export interface StreamFailure {
  message: string;
  code: string;
  status: number;
  requestId: string | undefined;
}

export type StreamState =
  | { phase: "idle" }
  | { phase: "streaming"; text: string }
  | { phase: "done"; text: string; usage: AnswerUsage | null }
  | { phase: "stopped"; text: string }
  | { phase: "failed"; text: string; failure: StreamFailure };

function failureOf(error: unknown): StreamFailure {
  if (error instanceof LlmgStreamError) {
    return { message: error.message, code: error.code, status: error.status, requestId: error.requestId };
  }
  // A network failure (the gateway went away mid-answer) has no envelope to show.
  const message = error instanceof Error ? error.message : "The answer could not be read";
  return { message, code: "network_error", status: 0, requestId: undefined };
}

/**
 * One streamed answer at a time over POST /api/chat/completions (tRPC answers in one piece).
 * The browser is signed in with the session cookie, so no key is sent: the CSRF token is.
 * `onSettled` runs after every call, answered or not, so the page can refresh the spend.
 */
export function useChatStream(onSettled: (state: StreamState) => void) {
  const [state, setState] = useState<StreamState>({ phase: "idle" });
  const controller = useRef<AbortController | null>(null);
  const settled = useRef(onSettled);
  settled.current = onSettled;

  // Leaving the page ends the call: nothing would show its answer.
  useEffect(() => () => controller.current?.abort(), []);

  const send = useCallback(async (request: ChatRequest) => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    let text = "";
    let usage: AnswerUsage | null = null;
    setState({ phase: "streaming", text });
    let final: StreamState;
    try {
      const options = { baseUrl: window.location.origin, csrfToken: getCsrfToken };
      for await (const chunk of streamChat(options, request, abort.signal)) {
        const delta = chunk.choices[0]?.delta.content;
        if (delta) {
          text += delta;
          setState({ phase: "streaming", text });
        }
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
            totalTokens: chunk.usage.total_tokens,
            costUsd: chunk.usage.cost_usd,
          };
        }
      }
      final = { phase: "done", text, usage };
    } catch (error) {
      final = abort.signal.aborted
        ? { phase: "stopped", text }
        : { phase: "failed", text, failure: failureOf(error) };
    }
    // A call replaced by a newer one leaves the page's state to that one.
    if (controller.current === abort) {
      controller.current = null;
      setState(final);
    }
    settled.current(final);
  }, []);

  const stop = useCallback(() => controller.current?.abort(), []);

  return { state, send, stop };
}
