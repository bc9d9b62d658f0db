import { type ReactNode, useId } from "react";

/**
 * A label above its control, tied by id rather than by wrapping: a wrapping label's name would
 * take in a select's option texts ("Split by Provider Model …"), which screen readers read out
 * and which makes the field hard to find by its label.
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
  const id = useId();
  return (
    <div className={className ?? "field"}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
