import { compareDecimals } from "../pricing/decimal";
import type { ProviderId } from "../provider-ids";
import { displayNameFor } from "./display-name";
import { LiteLlmEntryError, type ParsedEntry, PRICE_KINDS } from "./litellm-entry";
import type { Capability, ModelInfo, ModelPrices, PriceTier } from "./types";

export interface EntryTarget {
  readonly key: string;
  readonly provider: ProviderId;
  readonly id: string;
  /** The model the entry amends; undefined when the entry defines a new model. */
  readonly base: ModelInfo | undefined;
  readonly priceDate: string | null;
  readonly origin: ModelInfo["origin"];
}

function pick<T>(mentioned: T | null | undefined, inherited: T | null | undefined): T | null {
  if (mentioned === undefined) return inherited ?? null;
  return mentioned;
}

type MutableTier = { -readonly [K in keyof PriceTier]: PriceTier[K] };

function mergeTiers(base: readonly PriceTier[], entry: ParsedEntry["tiers"]): PriceTier[] {
  const byThreshold = new Map<number, MutableTier>();
  for (const tier of base) byThreshold.set(tier.aboveTokens, { ...tier });
  for (const [aboveTokens, kinds] of entry) {
    const tier = byThreshold.get(aboveTokens) ?? { aboveTokens };
    for (const kind of PRICE_KINDS) {
      const value = kinds[kind];
      if (value === null) delete tier[kind];
      else if (value !== undefined) tier[kind] = value;
    }
    byThreshold.set(aboveTokens, tier);
  }
  return [...byThreshold.values()]
    .filter((tier) => Object.keys(tier).length > 1)
    .sort((a, b) => a.aboveTokens - b.aboveTokens);
}

function mergeCapabilities(
  base: readonly Capability[],
  flags: ReadonlyMap<Capability, boolean>,
): Capability[] {
  const set = new Set(base);
  for (const [capability, supported] of flags) {
    if (supported) set.add(capability);
    else set.delete(capability);
  }
  return [...set].sort();
}

/**
 * Builds a model from a LiteLLM entry, on top of `base` when the entry amends an existing model
 * (fields the entry leaves out are inherited; an explicit null clears an optional rate).
 */
export function modelFromEntry(entry: ParsedEntry, target: EntryTarget): ModelInfo {
  const { base, key } = target;
  const input = entry.prices.input ?? base?.prices.input;
  if (input === undefined || input === null) {
    throw new LiteLlmEntryError(key, "input_cost_per_token", "required for a model not in the catalog");
  }
  const output = entry.prices.output ?? base?.prices.output;
  if (output === undefined || output === null) {
    throw new LiteLlmEntryError(key, "output_cost_per_token", "required for a model not in the catalog");
  }
  const reasoning = pick(entry.prices.reasoning, base?.prices.reasoning);
  const prices: ModelPrices = {
    input,
    output,
    cacheRead: pick(entry.prices.cacheRead, base?.prices.cacheRead),
    cacheWrite: pick(entry.prices.cacheWrite, base?.prices.cacheWrite),
    // A reasoning rate equal to the output rate says nothing, and storing it would pin reasoning
    // to the old output rate if an override later changes only the output rate.
    reasoning: reasoning !== null && compareDecimals(reasoning, output) === 0 ? null : reasoning,
    tiers: mergeTiers(base?.prices.tiers ?? [], entry.tiers),
  };
  return {
    provider: target.provider,
    id: target.id,
    aliases: base?.aliases ?? [],
    displayName: base?.displayName ?? displayNameFor(target.id),
    contextWindow: pick(entry.contextWindow, base?.contextWindow),
    maxOutputTokens: pick(entry.maxOutputTokens, base?.maxOutputTokens),
    prices,
    capabilities: mergeCapabilities(base?.capabilities ?? [], entry.capabilities),
    deprecationDate: pick(entry.deprecationDate, base?.deprecationDate),
    sourceUrl: pick(entry.sourceUrl, base?.sourceUrl),
    priceDate: target.priceDate,
    origin: target.origin,
  };
}
