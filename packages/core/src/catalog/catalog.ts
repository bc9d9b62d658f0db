import { isProviderId, PROVIDER_IDS } from "../provider-ids";
import { builtinCatalog, builtinModels } from "./builtin";
import { deepFreeze } from "./freeze";
import { providerFromPrefix } from "./litellm-providers";
import { applyPricingOverrides, type OverrideOptions } from "./overrides";
import { PROVIDERS } from "./providers";
import type { ModelInfo, PriceSource, ProviderInfo } from "./types";

/** A bare model name that more than one provider serves; the caller must say which. */
export class AmbiguousModelError extends Error {
  override readonly name = "AmbiguousModelError";
  readonly candidates: readonly ModelInfo[];
  constructor(
    readonly model: string,
    candidates: readonly ModelInfo[],
  ) {
    const providers = candidates.map((candidate) => candidate.provider);
    super(
      `model "${model}" is offered by ${providers.join(" and ")}; name it as ${providers
        .map((provider) => `"${provider}/${model}"`)
        .join(" or ")}`,
    );
    this.candidates = candidates;
  }
}

export interface Catalog {
  /** Provenance of the built-in prices. */
  readonly source: PriceSource;
  providers(): readonly ProviderInfo[];
  provider(id: string): ProviderInfo | undefined;
  /** Every model (canonical entries only), sorted by provider then id; optionally one provider's. */
  models(provider?: string): readonly ModelInfo[];
  /** Exact id or alias at one provider. */
  model(provider: string, idOrAlias: string): ModelInfo | undefined;
  /**
   * Exact id or alias at any provider. Undefined when no provider has it; throws
   * AmbiguousModelError when several do, because guessing would bill the wrong provider.
   */
  modelByBareId(idOrAlias: string): ModelInfo | undefined;
  /**
   * A model name as clients write it: "provider/id" (our provider ids, or LiteLLM's "gemini/")
   * or a bare id (see modelByBareId).
   */
  resolve(name: string): ModelInfo | undefined;
}

export interface CatalogOptions {
  /** Date stamped on prices the overrides set (see OverrideOptions). */
  readonly overridesDate?: string;
}

const PROVIDER_LIST: readonly ProviderInfo[] = Object.freeze(PROVIDER_IDS.map((id) => PROVIDERS[id]));

function byProviderThenId(a: ModelInfo, b: ModelInfo): number {
  if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Builds a catalog from the built-in table plus optional operator overrides (parsed JSON in
 * LiteLLM's format; see applyPricingOverrides). Lookups are Map hits: they run on every request.
 *
 * Note for routing: an alias resolves to the canonical entry for prices and limits only. Send
 * the provider the name the client asked for, since two dated snapshots folded into one entry
 * are still two models upstream.
 */
export function createCatalog(overrides?: unknown, options: CatalogOptions = {}): Catalog {
  const overrideOptions: OverrideOptions =
    options.overridesDate === undefined ? {} : { date: options.overridesDate };
  const base = builtinModels();
  const all = deepFreeze(
    (overrides === undefined ? base : applyPricingOverrides(base, overrides, overrideOptions)).sort(
      byProviderThenId,
    ),
  );

  const byProvider = new Map<string, ModelInfo[]>(PROVIDER_IDS.map((id) => [id, []]));
  const byName = new Map<string, Map<string, ModelInfo>>(PROVIDER_IDS.map((id) => [id, new Map()]));
  const byBareName = new Map<string, ModelInfo[]>();
  for (const model of all) {
    byProvider.get(model.provider)?.push(model);
    const names = byName.get(model.provider);
    for (const name of [model.id, ...model.aliases]) {
      names?.set(name, model);
      const holders = byBareName.get(name);
      if (holders === undefined) byBareName.set(name, [model]);
      else if (!holders.includes(model)) holders.push(model);
    }
  }
  for (const list of byProvider.values()) Object.freeze(list);

  const catalog: Catalog = {
    source: builtinCatalog().source,
    providers: () => PROVIDER_LIST,
    provider: (id) => (isProviderId(id) ? PROVIDERS[id] : undefined),
    models: (provider) => (provider === undefined ? all : (byProvider.get(provider) ?? [])),
    model: (provider, idOrAlias) => byName.get(provider)?.get(idOrAlias),
    modelByBareId: (idOrAlias) => {
      const holders = byBareName.get(idOrAlias);
      if (holders === undefined) return undefined;
      if (holders.length > 1) throw new AmbiguousModelError(idOrAlias, holders);
      return holders[0];
    },
    resolve: (name) => {
      const slash = name.indexOf("/");
      if (slash > 0) {
        const provider = providerFromPrefix(name.slice(0, slash));
        if (provider !== undefined) return catalog.model(provider, name.slice(slash + 1));
      }
      return catalog.modelByBareId(name);
    },
  };
  return Object.freeze(catalog);
}

let shared: Catalog | undefined;

function sharedCatalog(): Catalog {
  shared ??= createCatalog();
  return shared;
}

/** The built-in catalog without overrides, built on first use and then reused. */
export const defaultCatalog: Catalog = Object.freeze({
  get source() {
    return sharedCatalog().source;
  },
  providers: () => sharedCatalog().providers(),
  provider: (id: string) => sharedCatalog().provider(id),
  models: (provider?: string) => sharedCatalog().models(provider),
  model: (provider: string, idOrAlias: string) => sharedCatalog().model(provider, idOrAlias),
  modelByBareId: (idOrAlias: string) => sharedCatalog().modelByBareId(idOrAlias),
  resolve: (name: string) => sharedCatalog().resolve(name),
});

/** True when the model's deprecation date is on or before `date` (YYYY-MM-DD). */
export function isDeprecated(model: ModelInfo, date: string): boolean {
  return model.deprecationDate !== null && model.deprecationDate <= date;
}
