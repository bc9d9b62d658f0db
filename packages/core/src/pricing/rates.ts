import type { ModelPrices, PriceTier } from "../catalog/types";
import { compareScaled, parseDecimal, type ScaledDecimal } from "./decimal";

/** The five per-token rates one request is billed at, every fallback already applied. */
export interface Rates {
  readonly input: ScaledDecimal;
  readonly output: ScaledDecimal;
  readonly cacheRead: ScaledDecimal;
  readonly cacheWrite: ScaledDecimal;
  readonly reasoning: ScaledDecimal;
  /** The tier's threshold in prompt tokens, or null for the base rates. */
  readonly tier: number | null;
}

interface ParsedPrices {
  readonly base: Rates;
  /** Ascending by threshold. */
  readonly tiers: readonly Rates[];
}

// Catalog prices are frozen and shared, so parsing them once per object is safe and keeps
// decimal-string parsing off the per-request path.
const parsedCache = new WeakMap<ModelPrices, ParsedPrices>();

function optional(value: string | null | undefined): ScaledDecimal | undefined {
  return value === null || value === undefined ? undefined : parseDecimal(value);
}

function baseRates(prices: ModelPrices): Rates {
  const input = parseDecimal(prices.input);
  const output = parseDecimal(prices.output);
  return {
    input,
    output,
    cacheRead: optional(prices.cacheRead) ?? input,
    cacheWrite: optional(prices.cacheWrite) ?? input,
    reasoning: optional(prices.reasoning) ?? output,
    tier: null,
  };
}

/**
 * Above a tier's threshold every rate switches to the tier's value; a kind the tier does not
 * list keeps the model's own base rate for that kind, and a kind the model has no rate for at
 * all (no cache-read discount, no separate reasoning rate) follows the tier's input or output.
 */
function tierRates(prices: ModelPrices, base: Rates, tier: PriceTier): Rates {
  const input = optional(tier.input) ?? base.input;
  const output = optional(tier.output) ?? base.output;
  return {
    input,
    output,
    cacheRead: optional(tier.cacheRead) ?? optional(prices.cacheRead) ?? input,
    cacheWrite: optional(tier.cacheWrite) ?? optional(prices.cacheWrite) ?? input,
    reasoning: optional(tier.reasoning) ?? optional(prices.reasoning) ?? output,
    tier: tier.aboveTokens,
  };
}

function parsedPrices(prices: ModelPrices): ParsedPrices {
  let parsed = parsedCache.get(prices);
  if (parsed === undefined) {
    const base = baseRates(prices);
    const tiers = [...prices.tiers]
      .sort((a, b) => a.aboveTokens - b.aboveTokens)
      .map((tier) => tierRates(prices, base, tier));
    parsed = { base, tiers };
    parsedCache.set(prices, parsed);
  }
  return parsed;
}

/** Rates for a request with `promptTokens` prompt tokens: the highest tier it exceeds, else base. */
export function ratesFor(prices: ModelPrices, promptTokens: number): Rates {
  const { base, tiers } = parsedPrices(prices);
  let chosen = base;
  for (const tier of tiers) {
    if (tier.tier !== null && promptTokens > tier.tier) chosen = tier;
  }
  return chosen;
}

export function maxScaled(a: ScaledDecimal, b: ScaledDecimal): ScaledDecimal {
  return compareScaled(a, b) >= 0 ? a : b;
}
