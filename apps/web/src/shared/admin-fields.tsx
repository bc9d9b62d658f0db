import { cloneElement, type ReactElement, useState } from "react";
import { ConfirmAction, Field as SettingsField } from "./settings-form";

/**
 * Form bits shared by the Admin, Teams and Routes pages: a field is settings-form's Field (label
 * tied to its one control by id, the hint as the control's description) around one element.
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
  return (
    <SettingsField label={label} hint={hint} className="adm-field">
      {(props) => cloneElement(children, props)}
    </SettingsField>
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
  return <ConfirmAction label={label} confirmLabel={confirmLabel} pending={disabled} onConfirm={onConfirm} />;
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

/** Loading, the envelope's error, or the data (the name the admin pages use). */
export { QueryView as QueryState } from "./states";
