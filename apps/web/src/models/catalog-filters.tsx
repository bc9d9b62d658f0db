import type { RouterOutputs } from "@llmg/client";
import type { CatalogFilters } from "./use-catalog-filters";

type Provider = RouterOutputs["providers"]["list"]["data"][number];

/** Provider, text search and capabilities; each change is written to the URL at once. */
export function CatalogFilterBar({
  filters,
  providers,
  capabilities,
  onChange,
}: {
  filters: CatalogFilters;
  providers: Provider[];
  capabilities: readonly string[];
  onChange: (patch: Partial<CatalogFilters>, options?: { replace?: boolean }) => void;
}) {
  const toggle = (capability: string, on: boolean) =>
    onChange({
      capabilities: on
        ? [...filters.capabilities, capability]
        : filters.capabilities.filter((c) => c !== capability),
    });
  return (
    <div className="filters">
      <div className="filters-row">
        <div className="field">
          <label htmlFor="catalog-provider">Provider</label>
          <select
            id="catalog-provider"
            value={filters.provider}
            onChange={(event) => onChange({ provider: event.target.value })}
          >
            <option value="">All providers</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="catalog-search">Search models</label>
          <input
            id="catalog-search"
            type="search"
            value={filters.q}
            placeholder="id, name or alias"
            // Typing replaces the history entry: Back leaves the search, not one letter.
            onChange={(event) => onChange({ q: event.target.value }, { replace: true })}
          />
        </div>
      </div>
      <fieldset className="capabilities">
        <legend>Capabilities (all must match)</legend>
        {capabilities.map((capability) => (
          <label key={capability} className="check">
            <input
              type="checkbox"
              checked={filters.capabilities.includes(capability)}
              onChange={(event) => toggle(capability, event.target.checked)}
            />
            {capability.replaceAll("_", " ")}
          </label>
        ))}
      </fieldset>
    </div>
  );
}
