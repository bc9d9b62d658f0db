import { isProviderId, type ProviderId } from "../provider-ids";
import { displayNameFor } from "./display-name";
import { LiteLlmEntryError, type ParsedEntry, parseLiteLlmEntry } from "./litellm-entry";
import { providerFromLiteLlm, providerFromPrefix } from "./litellm-providers";
import { modelFromEntry } from "./model-from-entry";
import type { ModelInfo } from "./types";

/**
 * Operator price overrides (the file named by LLMG_PRICING_FILE, parsed by the server), written
 * in LiteLLM's format so an entry can be copied from upstream or from a provider's new price
 * list. Each key either amends a catalog model (only the fields it names change) or adds one.
 *
 * A key names its provider by `litellm_provider`, by a prefix ("gemini/...", "google/...",
 * "openai/..."), or, when bare, by matching exactly one existing model. An override keyed by an
 * alias ("claude-sonnet-4-5-20250929") splits that alias off into its own entry, so the canonical
 * model and its other aliases keep their prices. Wrong overrides throw: a silently ignored
 * override would bill at the wrong price.
 */

export class PricingOverrideError extends Error {
  override readonly name = "PricingOverrideError";
  constructor(
    readonly key: string | null,
    readonly field: string | null,
    readonly reason: string,
  ) {
    const where = key === null ? "" : field === null ? ` "${key}"` : ` "${key}", field "${field}"`;
    super(`invalid pricing override${where}: ${reason}`);
  }
}

export interface OverrideOptions {
  /** YYYY-MM-DD stamped on models whose prices the overrides change; null when omitted. */
  readonly date?: string;
}

// LiteLLM's own file starts with a documentation row; tolerate it so the format round-trips.
const DOCUMENTATION_KEY = "sample_spec";

interface Target {
  readonly provider: ProviderId;
  readonly id: string;
}

class ModelTable {
  private readonly byKey = new Map<string, ModelInfo>();
  private readonly aliasOwner = new Map<string, string>();

  constructor(models: readonly ModelInfo[]) {
    for (const model of models) this.put(model);
  }

  private static key(provider: ProviderId, id: string): string {
    return `${provider}/${id}`;
  }

  put(model: ModelInfo): void {
    const key = ModelTable.key(model.provider, model.id);
    this.byKey.set(key, model);
    for (const alias of model.aliases) this.aliasOwner.set(ModelTable.key(model.provider, alias), key);
  }

  /** The model an id names: itself, or the canonical model it is an alias of. */
  find(provider: ProviderId, id: string): { model: ModelInfo; viaAlias: boolean } | undefined {
    const key = ModelTable.key(provider, id);
    const own = this.byKey.get(key);
    if (own) return { model: own, viaAlias: false };
    const owner = this.aliasOwner.get(key);
    const model = owner === undefined ? undefined : this.byKey.get(owner);
    return model ? { model, viaAlias: true } : undefined;
  }

  providersOf(id: string): ProviderId[] {
    return [...new Set([...this.byKey.values()].map((model) => model.provider))].filter(
      (provider) => this.find(provider, id) !== undefined,
    );
  }

  /** Detaches `alias` from its canonical model and returns the canonical model without it. */
  detach(provider: ProviderId, alias: string): ModelInfo | undefined {
    const found = this.find(provider, alias);
    if (!found?.viaAlias) return undefined;
    const canonical = { ...found.model, aliases: found.model.aliases.filter((name) => name !== alias) };
    this.put(canonical);
    this.aliasOwner.delete(ModelTable.key(provider, alias));
    return canonical;
  }

  all(): ModelInfo[] {
    return [...this.byKey.values()];
  }
}

function resolveTarget(key: string, entry: ParsedEntry, table: ModelTable): Target {
  const slash = key.indexOf("/");
  const prefix = slash > 0 ? key.slice(0, slash) : undefined;
  const prefixProvider = prefix === undefined ? undefined : providerFromPrefix(prefix);
  const bareId = prefixProvider === undefined ? key : key.slice(slash + 1);

  if (entry.litellmProvider !== undefined) {
    const provider = isProviderId(entry.litellmProvider)
      ? entry.litellmProvider
      : providerFromLiteLlm(entry.litellmProvider);
    if (provider === undefined) {
      throw new PricingOverrideError(
        key,
        "litellm_provider",
        `"${entry.litellmProvider}" is not a provider llmg routes to (openai, anthropic, gemini, deepseek, mistral)`,
      );
    }
    if (prefixProvider !== undefined && prefixProvider !== provider) {
      throw new PricingOverrideError(key, "litellm_provider", `contradicts the key's "${prefix}/" prefix`);
    }
    return { provider, id: bareId };
  }
  if (prefixProvider !== undefined) return { provider: prefixProvider, id: bareId };

  const providers = table.providersOf(key);
  const [only] = providers;
  if (only !== undefined && providers.length === 1) return { provider: only, id: key };
  throw new PricingOverrideError(
    key,
    "litellm_provider",
    providers.length > 1
      ? `"${key}" exists at ${providers.join(" and ")}; set litellm_provider or prefix the key`
      : "not a known model, so litellm_provider (or a provider prefix on the key) is required",
  );
}

function mentionsPrices(entry: ParsedEntry): boolean {
  return entry.tiers.size > 0 || Object.values(entry.prices).some((value) => value !== undefined);
}

function parseEntry(key: string, raw: unknown): ParsedEntry {
  try {
    return parseLiteLlmEntry(key, raw);
  } catch (error) {
    if (error instanceof LiteLlmEntryError) throw new PricingOverrideError(key, error.field, error.reason);
    throw error;
  }
}

export function applyPricingOverrides(
  models: readonly ModelInfo[],
  overrides: unknown,
  options: OverrideOptions = {},
): ModelInfo[] {
  if (overrides === null || typeof overrides !== "object" || Array.isArray(overrides)) {
    throw new PricingOverrideError(null, null, "expected a JSON object keyed by model name");
  }
  const table = new ModelTable(models);
  for (const [key, raw] of Object.entries(overrides)) {
    if (key === DOCUMENTATION_KEY) continue;
    const entry = parseEntry(key, raw);
    if (entry.mode !== undefined && entry.mode !== "chat") {
      throw new PricingOverrideError(key, "mode", `only chat models are priced by llmg, got "${entry.mode}"`);
    }
    const target = resolveTarget(key, entry, table);
    if (target.id.length === 0) throw new PricingOverrideError(key, null, "empty model id");

    const found = table.find(target.provider, target.id);
    let base = found?.model;
    if (found?.viaAlias) {
      table.detach(target.provider, target.id);
      base = { ...found.model, id: target.id, aliases: [], displayName: displayNameFor(target.id) };
    }
    try {
      table.put(
        modelFromEntry(entry, {
          key,
          provider: target.provider,
          id: target.id,
          base,
          priceDate: mentionsPrices(entry) || base === undefined ? (options.date ?? null) : base.priceDate,
          origin: "override",
        }),
      );
    } catch (error) {
      if (error instanceof LiteLlmEntryError) throw new PricingOverrideError(key, error.field, error.reason);
      throw error;
    }
  }
  return table.all();
}
