import { count, usdExact } from "../shared/format";
import type { StreamState } from "./use-chat-stream";

/**
 * The answer as it lands, then the usage chunk's tokens and exact cost. The region is polite
 * and busy while streaming, so a screen reader reads the whole answer once, not every word.
 */
export function AnswerPanel({ state }: { state: StreamState }) {
  if (state.phase === "idle") return <p className="muted">Send a message to see the answer here.</p>;
  const streaming = state.phase === "streaming";
  return (
    <>
      {/* A refusal before the first token has no answer to frame. */}
      {(streaming || state.text !== "" || state.phase === "done") && (
        <div className="answer" aria-live="polite" aria-busy={streaming} data-testid="answer">
          {state.text === "" && streaming ? (
            <span className="muted">Waiting for the first token…</span>
          ) : (
            state.text
          )}
        </div>
      )}
      {state.phase === "stopped" && (
        <p className="muted" role="status">
          Stopped. What arrived before is kept; the call's cost is in Requests.
        </p>
      )}
      {state.phase === "failed" && (
        <div className="error" role="alert" data-testid="answer-error">
          <p>{state.failure.message}</p>
          <p className="muted">
            {state.failure.status > 0
              ? `HTTP ${state.failure.status} · ${state.failure.code}`
              : state.failure.code}
          </p>
          {state.failure.requestId && <p className="muted">Request id: {state.failure.requestId}</p>}
        </div>
      )}
      {state.phase === "done" &&
        (state.usage === null ? (
          <p className="muted">The gateway sent no usage for this answer.</p>
        ) : (
          <dl className="facts" aria-label="This answer's usage">
            <div>
              <dt>Prompt tokens</dt>
              <dd data-testid="answer-prompt-tokens">{count(state.usage.promptTokens)}</dd>
            </div>
            <div>
              <dt>Completion tokens</dt>
              <dd data-testid="answer-completion-tokens">{count(state.usage.completionTokens)}</dd>
            </div>
            <div>
              <dt>Total tokens</dt>
              <dd data-testid="answer-total-tokens">{count(state.usage.totalTokens)}</dd>
            </div>
            <div>
              <dt>Cost</dt>
              <dd data-testid="answer-cost">{usdExact(state.usage.costUsd)}</dd>
            </div>
          </dl>
        ))}
    </>
  );
}
