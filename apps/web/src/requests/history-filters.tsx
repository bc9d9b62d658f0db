import type { RouterOutputs } from "@llmg/client";
import { type FormEvent, useState } from "react";
import { LabelledField } from "../shared/labelled-field";
import { ProviderSelect } from "../shared/provider-select";
import { type HistoryView, PER_PAGE } from "./requests-params";

type Providers = RouterOutputs["providers"]["list"]["data"];

/**
 * Filters applied together with one button (a model name is typed, and every keystroke would
 * be a query). A new filter starts at page 1 without a cursor: a cursor belongs to its filters.
 */
export function HistoryFilters({
  view,
  providers,
  onApply,
}: {
  view: HistoryView;
  providers: Providers;
  onApply: (next: HistoryView) => void;
}) {
  // Controlled, unlike the other fields: its options arrive after the form is drawn, and an
  // uncontrolled select would fall back to "All providers" when the URL's choice was missing then.
  const [provider, setProvider] = useState(view.provider ?? "");
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => {
      const value = String(form.get(name) ?? "").trim();
      return value === "" ? undefined : value;
    };
    const status = text("status");
    const next: HistoryView = {
      sort: view.sort,
      order: view.order,
      page: 1,
      perPage: Number(text("per_page") ?? view.perPage),
    };
    const model = text("model");
    const from = text("from");
    const to = text("to");
    if (provider !== "") next.provider = provider;
    if (model) next.model = model;
    const tag = text("tag");
    if (tag) next.tag = tag;
    if (status === "success" || status === "error") next.status = status;
    if (from) next.from = from;
    if (to) next.to = to;
    onApply(next);
  };
  const clear = () => onApply({ sort: view.sort, order: view.order, page: 1, perPage: view.perPage });

  return (
    // Keyed by the view by the caller: the fields show what the URL says after back/forward.
    <form className="filters card" aria-label="Request filters" onSubmit={submit}>
      <ProviderSelect providers={providers} value={provider} fromUrl={view.provider} onChange={setProvider} />
      <LabelledField label="Model">
        {(id) => (
          <input
            id={id}
            name="model"
            defaultValue={view.model ?? ""}
            placeholder="any model"
            autoComplete="off"
          />
        )}
      </LabelledField>
      <LabelledField label="Tag">
        {(id) => (
          <input id={id} name="tag" defaultValue={view.tag ?? ""} placeholder="any tag" autoComplete="off" />
        )}
      </LabelledField>
      <LabelledField label="Status">
        {(id) => (
          <select id={id} name="status" defaultValue={view.status ?? ""}>
            <option value="">Any status</option>
            <option value="success">Success</option>
            <option value="error">Error</option>
          </select>
        )}
      </LabelledField>
      <LabelledField label="From">
        {(id) => <input id={id} type="date" name="from" defaultValue={view.from ?? ""} />}
      </LabelledField>
      <LabelledField label="To">
        {(id) => <input id={id} type="date" name="to" defaultValue={view.to ?? ""} />}
      </LabelledField>
      <LabelledField label="Rows per page">
        {(id) => (
          <select id={id} name="per_page" defaultValue={String(view.perPage)}>
            {PER_PAGE.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        )}
      </LabelledField>
      <div className="filter-actions">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
