import { type Catalog, compareDecimals, decimalToNumber } from "@llmg/core";
import type { ComparisonDto } from "../schemas/catalog-costs";
import { type CompareInput, splitList } from "../schemas/catalog-inputs";
import { byTotalCost, costOfWorkload, type Priced, totalsOf } from "./pricing-calculator";
import { resolveModelParam } from "./pricing-resolve";

/**
 * A display ratio, rounded to 6 decimals; the exact totals sit beside it. Null when the
 * cheapest is free and the other is not (no finite ratio).
 */
function ratio(total: string, cheapest: string): number | null {
  if (compareDecimals(cheapest, "0") === 0) return compareDecimals(total, "0") === 0 ? 1 : null;
  return Math.round((decimalToNumber(total) / decimalToNumber(cheapest)) * 1e6) / 1e6;
}

/** The same workload priced on every named model, cheapest first. */
export function compareModels(catalog: Catalog, input: CompareInput): ComparisonDto {
  const seen = new Set<string>();
  const priced: Priced[] = [];
  for (const name of splitList(input.models)) {
    const model = resolveModelParam(catalog, name, { field: "models" });
    // Aliases resolve to one canonical entry, so "gpt-4o-mini" and its dated snapshot count once.
    const key = `${model.provider}/${model.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    priced.push({ model, cost: costOfWorkload(model, input) });
  }
  priced.sort(byTotalCost);
  const cheapest = priced[0];
  const cheapestTotal = cheapest?.cost.totalCost ?? "0";
  return {
    input_tokens: input.input_tokens,
    output_tokens: input.output_tokens,
    cached_tokens: input.cached_tokens,
    cheapest: cheapest ? `${cheapest.model.provider}/${cheapest.model.id}` : "",
    models: priced.map(({ model, cost }, index) => ({
      rank: index + 1,
      provider: model.provider,
      model: model.id,
      name: model.displayName,
      ...totalsOf(cost),
      ratio_to_cheapest: ratio(cost.totalCost, cheapestTotal),
    })),
  };
}
