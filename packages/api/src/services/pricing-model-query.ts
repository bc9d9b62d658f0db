import { compareDecimals, decimalFromNumber, type ModelInfo } from "@llmg/core";
import { type ModelListInput, type ModelSort, splitList } from "../schemas/catalog-inputs";
import { perMillionExact } from "./pricing-rates";

type Filter = (model: ModelInfo) => boolean;

function filtersFor(input: ModelListInput): Filter[] {
  const filters: Filter[] = [];
  const capabilities = splitList(input.capability);
  if (capabilities.length > 0) {
    filters.push((m) => capabilities.every((c) => (m.capabilities as readonly string[]).includes(c)));
  }
  const minContext = input.min_context;
  if (minContext !== undefined)
    filters.push((m) => m.contextWindow !== null && m.contextWindow >= minContext);
  if (input.max_input_price !== undefined) {
    // Compared as decimals: 0.15 must keep a model priced exactly $0.15/1M, which a float
    // product of 0.00000015 × 1e6 would not guarantee.
    const max = decimalFromNumber(input.max_input_price);
    filters.push((m) => compareDecimals(perMillionExact(m.prices.input), max) <= 0);
  }
  if (input.q !== undefined) {
    const needle = input.q.toLowerCase();
    filters.push((m) =>
      [m.id, m.displayName, `${m.provider}/${m.id}`, ...m.aliases].some((s) =>
        s.toLowerCase().includes(needle),
      ),
    );
  }
  return filters;
}

type Compare = (a: ModelInfo, b: ModelInfo) => number;

const byName: Compare = (a, b) => a.displayName.localeCompare(b.displayName, "en", { sensitivity: "base" });

const SORTS: Record<ModelSort, Compare> = {
  name: byName,
  input_price: (a, b) => compareDecimals(a.prices.input, b.prices.input),
  output_price: (a, b) => compareDecimals(a.prices.output, b.prices.output),
  context_window: (a, b) => (a.contextWindow ?? -1) - (b.contextWindow ?? -1),
};

/**
 * The catalog's models filtered and sorted for GET /models. Ties keep the catalog's order
 * (provider, then id) because Array.prototype.sort is stable, so pages never shuffle.
 */
export function queryModels(models: readonly ModelInfo[], input: ModelListInput): ModelInfo[] {
  const filters = filtersFor(input);
  const matching = models.filter((m) => filters.every((keep) => keep(m)));
  if (input.sort === undefined) return input.order === "desc" ? matching.reverse() : matching;
  const compare = SORTS[input.sort];
  const direction = input.order === "desc" ? -1 : 1;
  return matching.sort((a, b) => direction * compare(a, b));
}
