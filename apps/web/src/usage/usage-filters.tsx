import type { RouterOutputs } from "@llmg/client";
import { LabelledField } from "../shared/labelled-field";
import { ProviderSelect } from "../shared/provider-select";
import { GRANULARITIES, RANGES, type RangeId, SPLITS, type UsageView } from "./usage-params";

type Providers = RouterOutputs["providers"]["list"]["data"];
type ByModel = RouterOutputs["usage"]["summary"]["data"]["by_model"];

/**
 * The view's controls. Each change is written to the URL at once (the page reads the view
 * from there), so there is no Apply button to forget.
 */
export function UsageFilters({
  view,
  onChange,
  providers,
  models,
}: {
  view: UsageView;
  onChange: (next: UsageView) => void;
  providers: Providers;
  models: ByModel;
}) {
  const set = (patch: Partial<UsageView>) => onChange({ ...view, ...patch });
  // The URL may name a model the list does not (yet) hold: keep it selectable.
  const modelNames = [
    ...new Set(models.filter((m) => !view.provider || m.provider === view.provider).map((m) => m.model)),
  ].sort();
  if (view.model && !modelNames.includes(view.model)) modelNames.unshift(view.model);

  return (
    <form className="filters card" aria-label="Usage filters" onSubmit={(e) => e.preventDefault()}>
      <LabelledField label="Range">
        {(id) => (
          <select
            id={id}
            name="range"
            value={view.range}
            onChange={(e) => set({ range: e.target.value as RangeId })}
          >
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        )}
      </LabelledField>
      {view.range === "custom" && (
        <>
          <LabelledField label="From">
            {(id) => (
              <input
                id={id}
                type="date"
                name="from"
                value={view.from}
                max={view.to}
                required
                onChange={(e) => e.target.value && set({ from: e.target.value })}
              />
            )}
          </LabelledField>
          <LabelledField label="To">
            {(id) => (
              <input
                id={id}
                type="date"
                name="to"
                value={view.to}
                min={view.from}
                required
                onChange={(e) => e.target.value && set({ to: e.target.value })}
              />
            )}
          </LabelledField>
        </>
      )}
      <LabelledField label="Per">
        {(id) => (
          <select
            id={id}
            name="granularity"
            value={view.granularity}
            onChange={(e) => set({ granularity: e.target.value as UsageView["granularity"] })}
          >
            {GRANULARITIES.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        )}
      </LabelledField>
      <LabelledField label="Split by">
        {(id) => (
          <select
            id={id}
            name="split"
            value={view.split}
            onChange={(e) => set({ split: e.target.value as UsageView["split"] })}
          >
            {SPLITS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        )}
      </LabelledField>
      <ProviderSelect
        providers={providers}
        value={view.provider ?? ""}
        fromUrl={view.provider}
        // Another provider's model would match nothing: the model filter starts over.
        onChange={(provider) => set({ provider: provider || undefined, model: undefined })}
      />
      <LabelledField label="Model">
        {(id) => (
          <select
            id={id}
            name="model"
            value={view.model ?? ""}
            onChange={(e) => set({ model: e.target.value || undefined })}
          >
            <option value="">All models</option>
            {modelNames.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        )}
      </LabelledField>
    </form>
  );
}
