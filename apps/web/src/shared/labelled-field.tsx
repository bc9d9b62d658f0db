import type { ReactNode } from "react";
import { Field } from "./settings-form";

/**
 * A label above its control, tied by id rather than by wrapping: a wrapping label's name would
 * take in a select's option texts ("Split by Provider Model …"), which screen readers read out
 * and which makes the field hard to find by its label. The filters' shape of settings-form's Field.
 */
export function LabelledField({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: (id: string) => ReactNode;
}) {
  return (
    <Field label={label} className={className}>
      {({ id }) => children(id)}
    </Field>
  );
}
