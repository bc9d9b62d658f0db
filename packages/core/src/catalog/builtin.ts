import generated from "./data/models.generated.json" with { type: "json" };
import { modelsFromStored, parseStoredCatalog, type StoredCatalog } from "./stored-catalog";
import type { ModelInfo } from "./types";

let cached: StoredCatalog | undefined;

/**
 * The committed snapshot, validated on first use rather than at import so that merely importing
 * @llmg/core costs nothing and a corrupt file fails with a message naming the bad row.
 */
export function builtinCatalog(): StoredCatalog {
  cached ??= parseStoredCatalog(generated);
  return cached;
}

export function builtinModels(): ModelInfo[] {
  return modelsFromStored(builtinCatalog());
}
