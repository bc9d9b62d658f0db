import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { Field, fieldErrors } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import type { Budget, BudgetUpdate } from "./budget-types";

/** "50, 80 100" → [50, 80, 100]; what is not a number is sent as typed for the API to name. */
function thresholdList(text: string): number[] {
  return text
    .split(/[\s,%]+/)
    .filter((v) => v !== "")
    .map((v) => Number(v));
}

const sameList = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * PUT /api/budget with the fields that changed. The limit is the decimal string typed (empty:
 * unlimited), never a float. A signing secret in the answer is shown once.
 */
export function BudgetSettingsForm({ budget }: { budget: Budget }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [limit, setLimit] = useState(budget.limit_usd_exact ?? "");
  const [thresholds, setThresholds] = useState(budget.thresholds.join(", "));
  const [webhook, setWebhook] = useState(budget.webhook_url ?? "");
  const [mode, setMode] = useState<Budget["mode"]>(budget.mode);
  const [rotate, setRotate] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.budget.update.mutationOptions({
      onSuccess: (answer) => {
        setRotate(false);
        setSaved(true);
        setSecret(answer.data.webhook_secret ?? null);
        const { webhook_secret: _secret, ...fresh } = answer.data;
        // The answer is the new state: the page shows it without asking again.
        queryClient.setQueryData(trpc.budget.get.queryKey({}), { success: true as const, data: fresh });
        setLimit(fresh.limit_usd_exact ?? "");
        setThresholds(fresh.thresholds.join(", "));
        setWebhook(fresh.webhook_url ?? "");
        setMode(fresh.mode);
        void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(update.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    setSecret(null);
    const input: BudgetUpdate = {};
    const newLimit = limit.trim() === "" ? null : limit.trim();
    if (newLimit !== budget.limit_usd_exact) input.limit_usd = newLimit;
    const list = thresholdList(thresholds);
    if (!sameList(list, budget.thresholds)) input.thresholds = list;
    const url = webhook.trim() === "" ? null : webhook.trim();
    if (url !== budget.webhook_url) input.webhook_url = url;
    if (mode !== budget.mode) input.mode = mode;
    if (rotate) input.rotate_webhook_secret = true;
    update.mutate(input);
  }

  return (
    <form className="settings-form" onSubmit={submit} aria-label="Budget settings" noValidate>
      <div className="form-grid">
        <Field label="Monthly limit (USD)" error={errors.limit_usd} hint="Empty: unlimited.">
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              value={limit}
              onChange={(e) => setLimit(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Field
          label="Alert thresholds (%)"
          error={errors.thresholds}
          hint="Percent of the limit, separated by commas (at most 10)."
        >
          {(props) => (
            <input
              {...props}
              value={thresholds}
              onChange={(e) => setThresholds(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Field
          label="Webhook URL"
          error={errors.webhook_url}
          hint="Alerts are POSTed here, signed. Empty: none."
        >
          {(props) => (
            <input
              {...props}
              type="url"
              value={webhook}
              onChange={(e) => setWebhook(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Mode" error={errors.mode}>
          {(props) => (
            <select {...props} value={mode} onChange={(e) => setMode(e.target.value as Budget["mode"])}>
              <option value="hard">Hard: refuse calls past the limit</option>
              <option value="soft">Soft: only alert</option>
            </select>
          )}
        </Field>
      </div>
      {budget.webhook_url && (
        <label className="check">
          <input type="checkbox" checked={rotate} onChange={(e) => setRotate(e.target.checked)} /> Make a new
          webhook signing secret
        </label>
      )}
      {errors.rotate_webhook_secret && <p className="field-error">{errors.rotate_webhook_secret}</p>}
      <div className="form-actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save budget"}
        </button>
        <span role="status">{saved ? "Saved." : ""}</span>
      </div>
      {update.isError && <ErrorNote error={update.error} />}
      {secret && (
        <section className="secret-once" aria-label="Webhook signing secret">
          <p>
            <strong>The webhook signing secret, shown this once:</strong> verify alerts with it (HMAC-SHA256).
          </p>
          <code>{secret}</code>
          <button type="button" onClick={() => void navigator.clipboard.writeText(secret).catch(() => {})}>
            Copy secret
          </button>
        </section>
      )}
    </form>
  );
}
