import type { RouterOutputs } from "@llmg/client";

type PriceList = RouterOutputs["pricing"]["list"]["data"];
type Provider = RouterOutputs["providers"]["list"]["data"][number];

/** A labelled select of every catalog model ("provider/model"), grouped by provider. */
export function ModelSelect({
  id,
  label,
  value,
  onChange,
  priceList,
  providers,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (key: string) => void;
  priceList: PriceList;
  providers: Provider[];
  placeholder?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {providers.map((provider) => {
          const models = priceList.models.filter((m) => m.provider === provider.id);
          if (models.length === 0) return null;
          return (
            <optgroup key={provider.id} label={provider.name}>
              {models.map((m) => (
                <option key={m.model} value={`${m.provider}/${m.model}`}>
                  {m.name} ({m.model})
                </option>
              ))}
            </optgroup>
          );
        })}
      </select>
    </div>
  );
}
