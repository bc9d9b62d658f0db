import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useMemo, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { PageTitle } from "../shared/page-title";
import { Loading } from "../shared/states";
import { useTRPC } from "../trpc";
import { AnswerLog, type LoggedAnswer } from "./answer-log";
import { AnswerPanel } from "./answer-panel";
import { ConversationEditor, newTurn, type Turn } from "./conversation";
import { ModelPicker, modelKey, splitModelKey } from "./model-picker";
import { MonthSpend } from "./month-spend";
import { type ChatRequest, type StreamState, useChatStream } from "./use-chat-stream";

/** Preferred first pick: a cheap model most gateways have a credential for. */
const PREFERRED = "openai/gpt-4o-mini";

/**
 * Try a model through the user's own credentials: a conversation, streamed over the REST chat
 * route (the only call not made through tRPC), with each answer's tokens and exact cost, and
 * the month's spend refreshed after every call.
 */
export function PlaygroundPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const priceList = useQuery(trpc.pricing.list.queryOptions({}));
  const providers = useQuery(trpc.providers.list.queryOptions({}));
  const credentials = useQuery(trpc.credentials.list.queryOptions({}));
  const budget = useQuery(trpc.budget.get.queryOptions({}));

  const [picked, setPicked] = useState("");
  const [system, setSystem] = useState("");
  const [turns, setTurns] = useState<Turn[]>(() => [newTurn("user")]);
  const [temperature, setTemperature] = useState("");
  const [maxTokens, setMaxTokens] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const [answers, setAnswers] = useState<LoggedAnswer[]>([]);
  const [sentModel, setSentModel] = useState("");

  const credentialed = useMemo(
    () => (credentials.data ? new Set<string>(credentials.data.data.map((c) => c.provider)) : null),
    [credentials.data],
  );
  const models = priceList.data?.data.models ?? [];
  // Until the user picks, the preferred model, else the first one a credential can call.
  const fallback =
    models.find((m) => modelKey(m.provider, m.model) === PREFERRED) ??
    models.find((m) => credentialed?.has(m.provider)) ??
    models[0];
  const model = picked !== "" ? picked : fallback ? modelKey(fallback.provider, fallback.model) : "";

  const { state, send, stop } = useChatStream((final: StreamState) => {
    // Answered, refused or stopped: the month's spend (and the usage pages) may have moved.
    void queryClient.invalidateQueries({ queryKey: trpc.budget.get.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.usage.pathKey() });
    if (final.phase === "done" && final.usage) {
      const usage = final.usage;
      setAnswers((list) => [
        ...list,
        { n: list.length + 1, model: sentModel, totalTokens: usage.totalTokens, costUsd: usage.costUsd },
      ]);
    }
  });
  const streaming = state.phase === "streaming";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (streaming || model === "") return;
    const request = buildRequest(model, system, turns, temperature, maxTokens);
    if (typeof request === "string") {
      setFormError(request);
      return;
    }
    setFormError(null);
    setSentModel(model);
    void send(request);
  };

  // Ctrl/Cmd+Enter sends from any field, as in most chat tools.
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.currentTarget.requestSubmit();
    }
  };

  const keepAnswer = () => {
    if (state.phase !== "done") return;
    setTurns((list) => [...list, newTurn("assistant", state.text), newTurn("user")]);
  };

  const catalogError = priceList.error ?? providers.error;
  return (
    <>
      <PageTitle>Playground</PageTitle>
      <div className="playground">
        <section aria-labelledby="pg-request-title" className="card">
          <h2 id="pg-request-title">Request</h2>
          {catalogError ? (
            <ErrorNote
              error={catalogError}
              onRetry={() => {
                void priceList.refetch();
                void providers.refetch();
              }}
            />
          ) : !priceList.data || !providers.data ? (
            <Loading label="Loading the models…" />
          ) : (
            <form className="playground-form" onSubmit={submit} onKeyDown={onKeyDown}>
              <ModelPicker
                value={model}
                onChange={setPicked}
                priceList={priceList.data.data}
                providers={providers.data.data}
                credentialed={credentialed}
              />
              {credentials.isError && <ErrorNote error={credentials.error} />}
              <div className="field">
                <label htmlFor="playground-system">System prompt (optional)</label>
                <textarea
                  id="playground-system"
                  rows={2}
                  value={system}
                  disabled={streaming}
                  onChange={(event) => setSystem(event.target.value)}
                />
              </div>
              <ConversationEditor turns={turns} onChange={setTurns} disabled={streaming} />
              <div className="playground-options">
                <div className="field">
                  <label htmlFor="playground-temperature">Temperature (optional, 0–2)</label>
                  <input
                    id="playground-temperature"
                    type="number"
                    inputMode="decimal"
                    min={0}
                    max={2}
                    step={0.1}
                    value={temperature}
                    disabled={streaming}
                    onChange={(event) => setTemperature(event.target.value)}
                  />
                </div>
                <div className="field">
                  <label htmlFor="playground-max-tokens">Max tokens (optional)</label>
                  <input
                    id="playground-max-tokens"
                    type="number"
                    inputMode="numeric"
                    min={1}
                    step={1}
                    value={maxTokens}
                    disabled={streaming}
                    onChange={(event) => setMaxTokens(event.target.value)}
                  />
                </div>
              </div>
              {formError && (
                <p className="error" role="alert">
                  {formError}
                </p>
              )}
              <div className="actions">
                <button type="submit" disabled={streaming}>
                  {streaming ? "Answering…" : "Send"}
                </button>
                <button type="button" className="secondary" disabled={!streaming} onClick={stop}>
                  Stop
                </button>
                <span className="muted small">Ctrl+Enter sends</span>
              </div>
            </form>
          )}
        </section>

        <div className="playground-side">
          <section aria-labelledby="pg-answer-title" className="card">
            <h2 id="pg-answer-title">Answer</h2>
            <AnswerPanel state={state} />
            {state.phase === "done" && state.text !== "" && (
              <button type="button" className="secondary keep-answer" onClick={keepAnswer}>
                Add the answer to the conversation
              </button>
            )}
          </section>

          <section aria-labelledby="pg-spend-title" className="card">
            <h2 id="pg-spend-title">Spend this month</h2>
            {budget.isPending ? (
              <Loading />
            ) : budget.isError ? (
              <ErrorNote error={budget.error} onRetry={() => void budget.refetch()} />
            ) : (
              <MonthSpend budget={budget.data.data} />
            )}
            <h3 className="small-heading">This visit's answers</h3>
            <AnswerLog answers={answers} />
          </section>
        </div>
      </div>
    </>
  );
}

/** The chat request, or what is wrong with the form. Blank turns are left out. */
function buildRequest(
  model: string,
  system: string,
  turns: Turn[],
  temperature: string,
  maxTokens: string,
): ChatRequest | string {
  const conversation = turns.filter((t) => t.content.trim() !== "");
  if (conversation.length === 0) return "Write a message first.";
  const messages: ChatRequest["messages"] = [
    ...(system.trim() === "" ? [] : [{ role: "system" as const, content: system }]),
    ...conversation.map((t) => ({ role: t.role, content: t.content })),
  ];
  const { provider, model: id } = splitModelKey(model);
  const request: ChatRequest = { provider: provider as ChatRequest["provider"], model: id, messages };
  if (temperature.trim() !== "") {
    const value = Number(temperature);
    if (!Number.isFinite(value) || value < 0 || value > 2) return "Temperature must be between 0 and 2.";
    request.temperature = value;
  }
  if (maxTokens.trim() !== "") {
    const value = Number(maxTokens);
    if (!Number.isInteger(value) || value < 1) return "Max tokens must be a whole number of at least 1.";
    request.max_tokens = value;
  }
  return request;
}
