import type { RouterOutputs } from "@llmg/client";
import { Link } from "wouter";

type PriceList = RouterOutputs["pricing"]["list"]["data"];
type Provider = RouterOutputs["providers"]["list"]["data"][number];

/** "openai/gpt-4o-mini": one value for a select, split again when sending. */
export function modelKey(provider: string, model: string): string {
  return `${provider}/${model}`;
}

export function splitModelKey(key: string): { provider: string; model: string } {
  const slash = key.indexOf("/");
  return { provider: key.slice(0, slash), model: key.slice(slash + 1) };
}

/**
 * Every catalog model, grouped by provider. A provider the user holds no credential for is
 * named as such in its group, and again under the picker when one of its models is chosen:
 * the call would be refused, as the gateway calls providers with the user's own keys.
 */
export function ModelPicker({
  value,
  onChange,
  priceList,
  providers,
  credentialed,
}: {
  value: string;
  onChange: (key: string) => void;
  priceList: PriceList;
  providers: Provider[];
  credentialed: ReadonlySet<string> | null;
}) {
  const chosen = value === "" ? null : splitModelKey(value).provider;
  const nameOf = (id: string) => providers.find((p) => p.id === id)?.name ?? id;
  const missing = chosen !== null && credentialed !== null && !credentialed.has(chosen);
  return (
    <div className="field">
      <label htmlFor="playground-model">Model</label>
      <select
        id="playground-model"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={missing ? "playground-no-credential" : undefined}
      >
        {providers.map((provider) => {
          const models = priceList.models.filter((m) => m.provider === provider.id);
          if (models.length === 0) return null;
          const suffix = credentialed !== null && !credentialed.has(provider.id) ? " (no credential)" : "";
          return (
            <optgroup key={provider.id} label={`${provider.name}${suffix}`}>
              {models.map((m) => (
                <option key={m.model} value={modelKey(m.provider, m.model)}>
                  {m.name} ({m.model})
                </option>
              ))}
            </optgroup>
          );
        })}
      </select>
      {missing && (
        <p id="playground-no-credential" className="warning-note" data-testid="no-credential">
          You have no {nameOf(chosen)} credential, so this call would be refused.{" "}
          <Link href="~/credentials">Add one on the Credentials page</Link>.
        </p>
      )}
    </div>
  );
}
