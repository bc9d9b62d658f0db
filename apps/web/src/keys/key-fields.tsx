import { useId } from "react";
import { Field } from "../shared/settings-form";
import type { KeyDraft } from "./key-draft";
import { type BudgetPeriod, type MyTeam, PERIODS, SCOPES, type Scope } from "./key-types";

/**
 * The fields of a key, shared by the create and edit forms: each labelled, with the API's error
 * for it underneath (`errors` is keyed by the API's field names). `teams` are the user's teams;
 * a key's team the user has since left is still shown, by id, so the form says what the key has.
 */
export function KeyFields({
  draft,
  onChange,
  errors,
  teams,
  editing,
}: {
  draft: KeyDraft;
  onChange: (patch: Partial<KeyDraft>) => void;
  errors: Record<string, string>;
  teams: MyTeam[] | undefined;
  /** On an edit an emptied field clears the key's value; the hints say so. */
  editing?: boolean;
}) {
  const empty = (what: string) => (editing ? `Empty: ${what}.` : `Optional; empty: ${what}.`);
  const scopesErrorId = `${useId()}-scopes-error`;
  const toggle = (scope: Scope, on: boolean) =>
    onChange({ scopes: on ? [...draft.scopes, scope] : draft.scopes.filter((s) => s !== scope) });
  const unknownTeam = draft.teamId !== "" && !teams?.some((t) => t.id === draft.teamId);
  return (
    <>
      <div className="form-grid">
        <Field
          label="Name"
          error={errors.name}
          hint={editing ? "Empty: unnamed." : "Optional: what the key is for."}
        >
          {(props) => (
            <input
              {...props}
              value={draft.name}
              onChange={(e) => onChange({ name: e.target.value })}
              autoComplete="off"
            />
          )}
        </Field>
        <Field
          label="Team"
          error={errors.team_id}
          hint={teams === undefined ? "Loading your teams…" : "The key's calls count for this team too."}
        >
          {(props) => (
            <select {...props} value={draft.teamId} onChange={(e) => onChange({ teamId: e.target.value })}>
              <option value="">No team</option>
              {teams?.map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
              {unknownTeam && <option value={draft.teamId}>{draft.teamId} (not one of your teams)</option>}
            </select>
          )}
        </Field>
        <Field label="Expires" error={errors.expires_at} hint={`Your local time. ${empty("never")}`}>
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              value={draft.expires}
              onChange={(e) => onChange({ expires: e.target.value })}
            />
          )}
        </Field>
        <Field
          label="Allowed models"
          error={errors.allowed_models}
          hint={`provider/model or provider/*, separated by commas. ${empty("every model")}`}
        >
          {(props) => (
            <input
              {...props}
              value={draft.models}
              onChange={(e) => onChange({ models: e.target.value })}
              placeholder="openai/gpt-4o-mini, anthropic/*"
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field
          label="Key budget (USD)"
          error={errors.budget_usd}
          hint={`The key's own limit. ${empty("none")}`}
        >
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              value={draft.budget}
              onChange={(e) => onChange({ budget: e.target.value })}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Budget period" error={errors.budget_period}>
          {(props) => (
            <select
              {...props}
              value={draft.period}
              onChange={(e) => onChange({ period: e.target.value as BudgetPeriod })}
              disabled={draft.budget.trim() === ""}
            >
              {PERIODS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.text}
                </option>
              ))}
            </select>
          )}
        </Field>
        <NumberField
          label="Requests per minute"
          error={errors.rpm}
          hint={empty("no limit")}
          value={draft.rpm}
          onChange={(rpm) => onChange({ rpm })}
        />
        <NumberField
          label="Tokens per minute"
          error={errors.tpm}
          hint={empty("no limit")}
          value={draft.tpm}
          onChange={(tpm) => onChange({ tpm })}
        />
        <NumberField
          label="Calls at once"
          error={errors.max_parallel}
          hint={`Calls in flight at a time. ${empty("no cap")}`}
          value={draft.parallel}
          onChange={(parallel) => onChange({ parallel })}
        />
      </div>
      <fieldset className="checks" aria-describedby={errors.scopes ? scopesErrorId : undefined}>
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope.id}>
            <input
              type="checkbox"
              checked={draft.scopes.includes(scope.id)}
              onChange={(e) => toggle(scope.id, e.target.checked)}
            />
            {scope.text}
          </label>
        ))}
      </fieldset>
      {errors.scopes && (
        <p className="field-error" id={scopesErrorId}>
          {errors.scopes}
        </p>
      )}
    </>
  );
}

function NumberField({
  label,
  error,
  hint,
  value,
  onChange,
}: {
  label: string;
  error: string | undefined;
  hint: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => (
        <input
          {...props}
          type="number"
          inputMode="numeric"
          min={1}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
