import {
  type DecimalString,
  decimalToNumber,
  type ModelPrices,
  multiplyDecimal,
  type PriceTier,
} from "@llmg/core";

export const RATE_KINDS = ["input", "output", "cache_read", "cache_write", "reasoning"] as const;
export type RateKind = (typeof RATE_KINDS)[number];

/** USD per token for each kind of token, every fallback applied: what a token is billed at. */
export type RateSet = Readonly<Record<RateKind, DecimalString>>;

export interface PriceSetDto {
  per_1m: Record<RateKind, number>;
  per_token: Record<RateKind, DecimalString>;
}

export interface PriceTierDto extends PriceSetDto {
  above_tokens: number;
}

/**
 * Effective rates at the base price or inside one tier. The catalog stores null for "no
 * separate rate"; a client comparing models needs the rate actually billed, so the fallbacks
 * are resolved here with the same rules as core's pricing (pricing/rates.ts): a kind the tier
 * leaves out keeps the model's own rate for it, and a kind the model has no rate for follows
 * the (tier's) input or output rate. The calculator test checks rate × tokens against
 * priceUsage for every line, so a drift between the two shows up there.
 */
export function ratesOf(prices: ModelPrices, tier?: PriceTier): RateSet {
  const input = tier?.input ?? prices.input;
  const output = tier?.output ?? prices.output;
  return {
    input,
    output,
    cache_read: tier?.cacheRead ?? prices.cacheRead ?? input,
    cache_write: tier?.cacheWrite ?? prices.cacheWrite ?? input,
    reasoning: tier?.reasoning ?? prices.reasoning ?? output,
  };
}

/** Exact USD per million tokens (a decimal string; multiplying by 10^6 only moves the point). */
export function perMillionExact(rate: DecimalString): DecimalString {
  return multiplyDecimal(rate, 1_000_000);
}

/** Human-sized figure; never fed back into money math. */
export function perMillion(rate: DecimalString): number {
  return decimalToNumber(perMillionExact(rate));
}

export function priceSetOf(rates: RateSet): PriceSetDto {
  const per1m = {} as Record<RateKind, number>;
  for (const kind of RATE_KINDS) per1m[kind] = perMillion(rates[kind]);
  return { per_1m: per1m, per_token: { ...rates } };
}

interface ModelPriceDto {
  prices: PriceSetDto;
  tiers: PriceTierDto[];
}

// Catalog prices are frozen and shared, so their DTOs can be built once per object; list
// endpoints then only copy references.
const dtoCache = new WeakMap<ModelPrices, ModelPriceDto>();

export function modelPriceDto(prices: ModelPrices): ModelPriceDto {
  let dto = dtoCache.get(prices);
  if (dto === undefined) {
    dto = {
      prices: priceSetOf(ratesOf(prices)),
      tiers: [...prices.tiers]
        .sort((a, b) => a.aboveTokens - b.aboveTokens)
        .map((tier) => ({ above_tokens: tier.aboveTokens, ...priceSetOf(ratesOf(prices, tier)) })),
    };
    dtoCache.set(prices, dto);
  }
  return dto;
}
