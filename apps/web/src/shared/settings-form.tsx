import { TRPCClientError } from "@trpc/client";
import { type ReactNode, useId, useState } from "react";
import { ErrorNote } from "./errors";

interface FieldIssue {
  field?: unknown;
  message?: unknown;
}

/**
 * The API's 400 answers name the input that is wrong (`details[].field`, e.g. "limit_usd" or
 * "thresholds.0"); a form shows each message next to its field. Keyed by the top-level name, so
 * "thresholds.0" lands on the thresholds field.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const details = (error.data as { details?: unknown } | undefined)?.details;
  if (!Array.isArray(details)) return {};
  const out: Record<string, string> = {};
  for (const issue of details as FieldIssue[]) {
    if (typeof issue?.field !== "string" || typeof issue.message !== "string") continue;
    const name = issue.field.split(".")[0] ?? issue.field;
    out[name] = out[name] ? `${out[name]}; ${issue.message}` : issue.message;
  }
  return out;
}

/**
 * A labelled input with its error underneath, tied to it by aria-describedby so a screen reader
 * reads the message with the field.
 */
export function Field({
  label,
  error,
  hint,
  className = "field",
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  className?: string | undefined;
  children: (props: { id: string; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const described = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(error ? { "aria-invalid": true as const } : {}),
        ...(described ? { "aria-describedby": described } : {}),
      })}
      {hint && (
        <p className="muted small field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * A destructive action asked twice: the first click shows what will happen and a confirm button,
 * focused so Enter confirms and Tab reaches Cancel.
 */
export function ConfirmAction({
  label,
  ariaLabel,
  confirmLabel,
  question,
  pending,
  onConfirm,
}: {
  label: string;
  /** The first button's accessible name when its text alone is ambiguous ("Delete" what). */
  ariaLabel?: string | undefined;
  confirmLabel: string;
  question?: string | undefined;
  pending?: boolean | undefined;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="secondary"
        aria-label={ariaLabel}
        disabled={pending}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm">
      {question && <span>{question}</span>}
      <button
        type="button"
        className="danger"
        disabled={pending}
        // biome-ignore lint/a11y/noAutofocus: the button just appeared in answer to a click; focus follows it
        autoFocus
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

/** ISO instant as local date and time, or a dash. */
export function when(iso: string | null): string {
  return iso === null
    ? "—"
    : new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
}

/** Loading, the envelope's error with a retry, or the data (the name the settings pages use). */
export { QueryView as Loaded } from "./states";

/**
 * A wide table's scrolling box. Focusable, so a keyboard user can scroll it sideways at phone
 * width even when no cell holds a link or button; named for screen readers.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-wrap settings-table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/** An edit form's Save and Cancel, with the envelope's error (message and request id) under them. */
export function EditActions({
  pending,
  error,
  onCancel,
}: {
  pending: boolean;
  error: unknown;
  onCancel: () => void;
}) {
  return (
    <>
      <div className="form-actions">
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save changes"}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error ? <ErrorNote error={error} /> : null}
    </>
  );
}
