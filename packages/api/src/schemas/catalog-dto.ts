import {
  type Catalog,
  compareDecimals,
  type DecimalString,
  isDeprecated,
  type ModelInfo,
  type ProviderInfo,
} from "@llmg/core";
import { modelPriceDto, perMillion, perMillionExact } from "../services/pricing-rates";
import type { ModelDetailDto, ModelSummaryDto, ProviderDto } from "./catalog";
import { toParameterRulesDto } from "./param-rules";

/** Today as YYYY-MM-DD (UTC), the form deprecation dates are written in. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function rangeOf(rates: readonly DecimalString[]): ProviderDto["input_price_per_1m"] {
  let min: DecimalString | undefined;
  let max: DecimalString | undefined;
  for (const rate of rates) {
    if (min === undefined || compareDecimals(rate, min) < 0) min = rate;
    if (max === undefined || compareDecimals(rate, max) > 0) max = rate;
  }
  if (min === undefined || max === undefined) return null;
  return {
    min: perMillion(min),
    max: perMillion(max),
    min_exact: perMillionExact(min),
    max_exact: perMillionExact(max),
  };
}

export function toProviderDto(provider: ProviderInfo, models: readonly ModelInfo[]): ProviderDto {
  return {
    id: provider.id,
    name: provider.name,
    status: provider.status,
    base_url: provider.defaultBaseUrl,
    docs_url: provider.docsUrl,
    pricing_url: provider.pricingUrl,
    capabilities: [...provider.capabilities],
    model_count: models.length,
    input_price_per_1m: rangeOf(models.map((m) => m.prices.input)),
    output_price_per_1m: rangeOf(models.map((m) => m.prices.output)),
  };
}

export function toModelSummary(model: ModelInfo, date: string): ModelSummaryDto {
  const { prices, tiers } = modelPriceDto(model.prices);
  return {
    provider: model.provider,
    id: model.id,
    name: model.displayName,
    aliases: [...model.aliases],
    context_window: model.contextWindow,
    max_output_tokens: model.maxOutputTokens,
    capabilities: [...model.capabilities],
    deprecation_date: model.deprecationDate,
    deprecated: isDeprecated(model, date),
    prices,
    tiers,
    parameter_rules: toParameterRulesDto(model),
  };
}

export function toModelDetail(catalog: Catalog, model: ModelInfo, date: string): ModelDetailDto {
  const source = catalog.source;
  return {
    ...toModelSummary(model, date),
    source_url: model.sourceUrl,
    price_date: model.priceDate,
    origin: model.origin,
    price_source: { name: source.name, sha256: source.sha256, date: source.date },
  };
}
