import { modelFromEntry } from "../model-from-entry";
import type { StoredCatalog, StoredModel } from "../stored-catalog";
import type { ModelInfo, PriceSource } from "../types";
import { foldAliases } from "./aliases";
import { type SkippedEntry, selectChatModels } from "./select";

/**
 * Turns a LiteLLM price map into the committed built-in table. Pure and deterministic: the same
 * input and source always give byte-identical output, so re-running the sync shows no diff.
 */
export function generateCatalog(data: unknown, source: PriceSource): StoredCatalog {
  const { candidates, skipped } = selectChatModels(data);
  const models: ModelInfo[] = [];
  const seen = new Set<string>();
  const duplicates: SkippedEntry[] = [];
  for (const candidate of candidates) {
    const id = `${candidate.provider}/${candidate.id}`;
    if (seen.has(id)) {
      duplicates.push({ key: candidate.key, reason: "invalid", detail: `duplicate of model ${id}` });
      continue;
    }
    seen.add(id);
    models.push(
      modelFromEntry(candidate.entry, {
        key: candidate.key,
        provider: candidate.provider,
        id: candidate.id,
        base: undefined,
        priceDate: source.date,
        origin: "builtin",
      }),
    );
  }
  return {
    generatedBy: "packages/core/scripts/pricing-sync.ts",
    license: "LiteLLM model price map, MIT licence (https://github.com/BerriAI/litellm)",
    source,
    models: foldAliases(models).map(toStored),
    skipped: [...skipped, ...duplicates].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
}

/** priceDate and origin are the same for every built-in row, so the file states them once. */
function toStored(model: ModelInfo): StoredModel {
  const { priceDate: _date, origin: _origin, ...stored } = model;
  return stored;
}

/** JSON with object keys sorted at every level, two-space indent, final newline. */
export function stableStringify(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}
