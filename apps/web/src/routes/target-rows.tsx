import { Field } from "../shared/admin-fields";

export interface TargetRow {
  model: string;
  weight: string;
}

/** The route's targets: a model each (the catalog's names are offered), and a weight when drawn by weight. */
export function TargetRows({
  rows,
  onChange,
  weighted,
  listId,
}: {
  rows: TargetRow[];
  onChange: (rows: TargetRow[]) => void;
  weighted: boolean;
  listId: string;
}) {
  const set = (index: number, patch: Partial<TargetRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset>
      <legend>Targets</legend>
      <ol className="adm-list">
        {rows.map((row, index) => (
          // Rows have no identity of their own but their place in the list.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <li key={index} className="adm-inline">
            <Field label={`Target ${index + 1} model`}>
              <input
                required
                list={listId}
                placeholder="openai/gpt-4o-mini"
                value={row.model}
                onChange={(e) => set(index, { model: e.target.value })}
              />
            </Field>
            {weighted && (
              <Field label={`Target ${index + 1} weight`}>
                <input
                  type="number"
                  min={1}
                  max={1000}
                  required
                  value={row.weight}
                  onChange={(e) => set(index, { weight: e.target.value })}
                />
              </Field>
            )}
            {rows.length > 1 && (
              <button
                type="button"
                className="secondary"
                onClick={() => onChange(rows.filter((_, i) => i !== index))}
              >
                Remove target {index + 1}
              </button>
            )}
          </li>
        ))}
      </ol>
      {rows.length < 16 && (
        <button
          type="button"
          className="secondary"
          onClick={() => onChange([...rows, { model: "", weight: "1" }])}
        >
          Add target
        </button>
      )}
    </fieldset>
  );
}
