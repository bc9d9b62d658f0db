import {
  compareDecimals,
  type DecimalString,
  decimalToNumber,
  type ModelInfo,
  multiplyDecimal,
  priceUsage,
  type UsageCost,
} from "@llmg/core";
import type { CostCalculationDto, CostTotalsDto } from "../schemas/catalog-costs";
import type { CalculatorInput } from "../schemas/catalog-inputs";
import { type RateKind, ratesOf } from "./pricing-rates";

export interface Workload {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
}

/** The API's token names mapped onto core's Usage; both use OpenAI's subset convention. */
export function costOfWorkload(model: ModelInfo, workload: Workload): UsageCost {
  return priceUsage(model, {
    promptTokens: workload.input_tokens,
    completionTokens: workload.output_tokens,
    cachedReadTokens: workload.cached_tokens,
    cacheWriteTokens: workload.cache_write_tokens ?? 0,
    reasoningTokens: workload.reasoning_tokens ?? 0,
    estimated: false,
  });
}

/** Exact totals of `requests` identical calls: decimal × integer, never float. */
export function totalsOf(cost: UsageCost, requests = 1): CostTotalsDto {
  const input = multiplyDecimal(cost.promptCost, requests);
  const output = multiplyDecimal(cost.completionCost, requests);
  const total = multiplyDecimal(cost.totalCost, requests);
  return {
    input_cost: decimalToNumber(input),
    input_cost_exact: input,
    output_cost: decimalToNumber(output),
    output_cost_exact: output,
    total_cost: decimalToNumber(total),
    total_cost_exact: total,
  };
}

function line(tokens: number, rate: DecimalString, cost: DecimalString) {
  return {
    tokens,
    rate_per_token: rate,
    rate_per_1m: decimalToNumber(multiplyDecimal(rate, 1_000_000)),
    cost: decimalToNumber(cost),
    cost_exact: cost,
  };
}

export function calculateCost(model: ModelInfo, input: CalculatorInput): CostCalculationDto {
  const cost = costOfWorkload(model, input);
  // priceUsage reports which tier it applied; the rates shown are that tier's.
  const tier = cost.tier === null ? undefined : model.prices.tiers.find((t) => t.aboveTokens === cost.tier);
  const rates = ratesOf(model.prices, tier);
  const tokens: Record<RateKind, number> = {
    input: input.input_tokens - input.cached_tokens - input.cache_write_tokens,
    cache_read: input.cached_tokens,
    cache_write: input.cache_write_tokens,
    output: input.output_tokens - input.reasoning_tokens,
    reasoning: input.reasoning_tokens,
  };
  const b = cost.breakdown;
  return {
    provider: model.provider,
    model: model.id,
    name: model.displayName,
    input_tokens: input.input_tokens,
    output_tokens: input.output_tokens,
    cached_tokens: input.cached_tokens,
    cache_write_tokens: input.cache_write_tokens,
    reasoning_tokens: input.reasoning_tokens,
    requests: input.requests,
    tier: cost.tier,
    per_request: {
      ...totalsOf(cost),
      breakdown: {
        input: line(tokens.input, rates.input, b.input),
        cache_read: line(tokens.cache_read, rates.cache_read, b.cacheRead),
        cache_write: line(tokens.cache_write, rates.cache_write, b.cacheWrite),
        output: line(tokens.output, rates.output, b.output),
        reasoning: line(tokens.reasoning, rates.reasoning, b.reasoning),
      },
    },
    total: totalsOf(cost, input.requests),
    price_date: model.priceDate,
  };
}

export interface Priced {
  model: ModelInfo;
  cost: UsageCost;
}

/** Cheapest first; equal totals keep provider/id order so the answer is deterministic. */
export function byTotalCost(a: Priced, b: Priced): number {
  return (
    compareDecimals(a.cost.totalCost, b.cost.totalCost) ||
    a.model.provider.localeCompare(b.model.provider) ||
    a.model.id.localeCompare(b.model.id)
  );
}
