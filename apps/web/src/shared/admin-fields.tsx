import { cloneElement, type ReactElement, type ReactNode, useId, useState } from "react";
import { ErrorNote } from "./errors";
import { Loading } from "./states";

/**
 * Form bits shared by the Admin, Teams and Routes pages. A field is its label tied to its one
 * control by id, with the hint as the control's description (so the label alone names it).
 */
export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children: ReactElement<{ id?: string; "aria-describedby"?: string }>;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="adm-field">
      <label className="adm-label" htmlFor={id}>
        {label}
      </label>
      {cloneElement(children, { id, ...(hint ? { "aria-describedby": hintId } : {}) })}
      {hint && (
        <span id={hintId} className="muted small">
          {hint}
        </span>
      )}
    </div>
  );
}

/** An empty money or count field means "none" (null) to the API; anything else is sent as typed. */
export function amountOrNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

export function intOrNull(value: string): number | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : Number(trimmed);
}

/** A limit as the API gave it: its exact decimal, or what null means for it. */
export function limitText(exact: string | null, none: string): string {
  return exact === null ? none : `$${exact}`;
}

/** Destructive actions ask once more in place (no browser dialog, so the keyboard flow stays on the page). */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="secondary" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="adm-confirm">
      <button
        type="button"
        className="adm-danger"
        disabled={disabled}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** A secret shown once: readable, selectable, with a copy button. */
export function ShownOnce({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="adm-once" role="status">
      <Field label={label} hint="Shown only now: copy it before leaving the page.">
        <input readOnly value={value} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
      </Field>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true));
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/**
 * Loading, the envelope's error, or the data — as states.tsx's QueryView, but typed loosely
 * enough for tRPC's queries, whose error type is not an `Error` subtype QueryView accepts.
 */
export function QueryState<T>({
  query,
  children,
}: {
  query: QueryLike<T>;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError || query.data === undefined)
    return <ErrorNote error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
