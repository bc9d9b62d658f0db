import type { RouterOutputs } from "@llmg/client";
import { LabelledField } from "./labelled-field";

type Providers = RouterOutputs["providers"]["list"]["data"];

/**
 * The "Provider" filter of the Usage and Requests pages: all providers, or one. A provider named
 * by the URL that the list does not (yet) hold stays selectable, so a shared link shows its filter.
 */
export function ProviderSelect({
  providers,
  value,
  fromUrl,
  onChange,
}: {
  providers: Providers;
  /** "" for all providers. */
  value: string;
  fromUrl: string | undefined;
  onChange: (value: string) => void;
}) {
  const known = providers.some((p) => p.id === fromUrl);
  return (
    <LabelledField label="Provider">
      {(id) => (
        <select id={id} name="provider" value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">All providers</option>
          {fromUrl && !known && <option value={fromUrl}>{fromUrl}</option>}
          {providers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      )}
    </LabelledField>
  );
}
