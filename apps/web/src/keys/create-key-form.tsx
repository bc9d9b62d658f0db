import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { Field, fieldErrors } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { type BudgetPeriod, type CreatedKey, type CreateKey, PERIODS, SCOPES, type Scope } from "./key-types";

/** "a, b\nc" → ["a", "b", "c"]; empty → undefined (every model). */
function modelList(text: string): string[] | undefined {
  const list = text
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
  return list.length === 0 ? undefined : list;
}

/** A whole number typed in a field, or undefined when left empty (the API says if it is wrong). */
function optionalInt(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

/**
 * POST /api/keys with what the API takes. The budget is sent as the decimal string typed, never
 * through a float.
 */
export function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["chat", "read", "manage"]);
  const [expires, setExpires] = useState("");
  const [models, setModels] = useState("");
  const [budget, setBudget] = useState("");
  const [period, setPeriod] = useState<BudgetPeriod>("month");
  const [rpm, setRpm] = useState("");
  const [tpm, setTpm] = useState("");
  const [parallel, setParallel] = useState("");
  const create = useMutation(
    trpc.keys.create.mutationOptions({
      onSuccess: (answer) => {
        setName("");
        setExpires("");
        setModels("");
        setBudget("");
        setRpm("");
        setTpm("");
        setParallel("");
        onCreated(answer.data);
        void queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(create.error);

  function toggle(scope: Scope, on: boolean) {
    setScopes((list) => (on ? [...list, scope] : list.filter((s) => s !== scope)));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const input: CreateKey = { scopes };
    if (name.trim() !== "") input.name = name.trim();
    // datetime-local is the browser's local time; the API wants an instant with its zone.
    if (expires !== "") {
      const at = new Date(expires);
      input.expires_at = Number.isNaN(at.getTime()) ? expires : at.toISOString();
    }
    const allowed = modelList(models);
    if (allowed) input.allowed_models = allowed;
    if (budget.trim() !== "") {
      input.budget_usd = budget.trim();
      input.budget_period = period;
    }
    const limits = { rpm: optionalInt(rpm), tpm: optionalInt(tpm), max_parallel: optionalInt(parallel) };
    if (limits.rpm !== undefined) input.rpm = limits.rpm;
    if (limits.tpm !== undefined) input.tpm = limits.tpm;
    if (limits.max_parallel !== undefined) input.max_parallel = limits.max_parallel;
    create.mutate(input);
  }

  return (
    <form className="settings-form" onSubmit={submit} aria-label="Create an API key" noValidate>
      <div className="form-grid">
        <Field label="Name" error={errors.name} hint="Optional: what the key is for.">
          {(props) => (
            <input {...props} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          )}
        </Field>
        <Field label="Expires" error={errors.expires_at} hint="Optional; your local time. Empty: never.">
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Allowed models"
          error={errors.allowed_models}
          hint="Optional: provider/model or provider/*, separated by commas. Empty: every model."
        >
          {(props) => (
            <input
              {...props}
              value={models}
              onChange={(e) => setModels(e.target.value)}
              placeholder="openai/gpt-4o-mini, anthropic/*"
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Key budget (USD)" error={errors.budget_usd} hint="Optional: the key's own limit.">
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              value={budget}
              onChange={(e) => setBudget(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Budget period" error={errors.budget_period}>
          {(props) => (
            <select
              {...props}
              value={period}
              onChange={(e) => setPeriod(e.target.value as BudgetPeriod)}
              disabled={budget.trim() === ""}
            >
              {PERIODS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.text}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Requests per minute" error={errors.rpm} hint="Optional.">
          {(props) => (
            <input
              {...props}
              type="number"
              inputMode="numeric"
              min={1}
              value={rpm}
              onChange={(e) => setRpm(e.target.value)}
            />
          )}
        </Field>
        <Field label="Tokens per minute" error={errors.tpm} hint="Optional.">
          {(props) => (
            <input
              {...props}
              type="number"
              inputMode="numeric"
              min={1}
              value={tpm}
              onChange={(e) => setTpm(e.target.value)}
            />
          )}
        </Field>
        <Field label="Calls at once" error={errors.max_parallel} hint="Optional: calls in flight at a time.">
          {(props) => (
            <input
              {...props}
              type="number"
              inputMode="numeric"
              min={1}
              value={parallel}
              onChange={(e) => setParallel(e.target.value)}
            />
          )}
        </Field>
      </div>
      <fieldset className="checks" aria-describedby={errors.scopes ? "scopes-error" : undefined}>
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope.id}>
            <input
              type="checkbox"
              checked={scopes.includes(scope.id)}
              onChange={(e) => toggle(scope.id, e.target.checked)}
            />
            {scope.text}
          </label>
        ))}
      </fieldset>
      {errors.scopes && (
        <p className="field-error" id="scopes-error">
          {errors.scopes}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
        </button>
      </div>
      {create.isError && <ErrorNote error={create.error} />}
    </form>
  );
}
