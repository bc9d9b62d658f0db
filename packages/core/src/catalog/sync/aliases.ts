import type { ModelInfo } from "../types";

/**
 * Folding dated snapshots and `-latest` names into one catalog entry.
 *
 * Providers publish the same model under several names: "claude-sonnet-4-5" and
 * "claude-sonnet-4-5-20250929", "gemini-2.0-flash" and "gemini-2.0-flash-001",
 * "mistral-large-latest" and "mistral-large-2512". A name is folded into another only when
 * both price and limit identically and share a deprecation date, so an alias can never change
 * a bill; anything that differs stays its own entry.
 */

export type NameKind = "plain" | "latest" | "dated";

// Order matters: the longer date spellings must be tried before the 4- and 3-digit ones.
const VERSION_SUFFIXES: readonly RegExp[] = [
  /-\d{4}-\d{2}-\d{2}$/, // OpenAI: gpt-4o-2024-08-06
  /-\d{8}$/, // Anthropic: claude-sonnet-4-5-20250929
  /-\d{2}-\d{4}$/, // Gemini previews: gemini-2.5-flash-preview-09-2025
  /-\d{4}$/, // OpenAI MMDD (gpt-3.5-turbo-0125), Mistral YYMM (mistral-large-2512)
  /-\d{3}$/, // Gemini stable versions: gemini-2.0-flash-001
];

export function splitVersionSuffix(id: string): { base: string; kind: NameKind } {
  if (id.endsWith("-latest")) return { base: id.slice(0, -"-latest".length), kind: "latest" };
  for (const suffix of VERSION_SUFFIXES) {
    const match = suffix.exec(id);
    if (match && match.index > 0) return { base: id.slice(0, match.index), kind: "dated" };
  }
  return { base: id, kind: "plain" };
}

/** Everything that affects a bill or a request's validity; names and flags may differ. */
function interchangeable(a: ModelInfo, b: ModelInfo): boolean {
  return (
    JSON.stringify(a.prices) === JSON.stringify(b.prices) &&
    a.contextWindow === b.contextWindow &&
    a.maxOutputTokens === b.maxOutputTokens &&
    a.deprecationDate === b.deprecationDate
  );
}

/**
 * Returns the models with aliases folded in. Canonical is the plain undated name, else the
 * `-latest` name; a dated snapshot is never canonical for another dated snapshot, because two
 * snapshots are different models even when priced alike.
 */
export function foldAliases(models: readonly ModelInfo[]): ModelInfo[] {
  const groups = new Map<string, ModelInfo[]>();
  for (const model of models) {
    const key = `${model.provider}\u0000${splitVersionSuffix(model.id).base}`;
    const group = groups.get(key);
    if (group) group.push(model);
    else groups.set(key, [model]);
  }

  const result: ModelInfo[] = [];
  for (const group of groups.values()) {
    const byKind = (kind: NameKind) => group.filter((model) => splitVersionSuffix(model.id).kind === kind);
    const canonicals = [...byKind("plain"), ...byKind("latest")];
    const aliasesOf = new Map<ModelInfo, string[]>(canonicals.map((model) => [model, []]));
    const standalone: ModelInfo[] = [...byKind("dated")];

    // X-latest joins X when both exist and agree (gpt-5-chat / gpt-5-chat-latest).
    const [plain, latest] = canonicals;
    if (plain && latest && splitVersionSuffix(plain.id).kind === "plain" && interchangeable(plain, latest)) {
      aliasesOf.get(plain)?.push(latest.id);
      aliasesOf.delete(latest);
    }
    for (const dated of standalone.splice(0)) {
      const target = [...aliasesOf.keys()].find((canonical) => interchangeable(canonical, dated));
      if (target) aliasesOf.get(target)?.push(dated.id);
      else standalone.push(dated);
    }

    for (const [canonical, aliases] of aliasesOf) {
      result.push({ ...canonical, aliases: [...new Set([...canonical.aliases, ...aliases])].sort() });
    }
    result.push(...standalone);
  }
  return result.sort((a, b) =>
    a.provider === b.provider ? compareIds(a.id, b.id) : compareIds(a.provider, b.provider),
  );
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
