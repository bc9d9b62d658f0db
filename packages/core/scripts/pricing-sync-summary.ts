import type { StoredCatalog } from "../src/catalog/stored-catalog";

/** One screen of text saying what the sync kept and dropped, for the person running it. */
export function summarize(catalog: StoredCatalog): string {
  const perProvider = new Map<string, { models: number; aliases: number }>();
  for (const model of catalog.models) {
    const counts = perProvider.get(model.provider) ?? { models: 0, aliases: 0 };
    counts.models += 1;
    counts.aliases += model.aliases.length;
    perProvider.set(model.provider, counts);
  }
  const perReason = new Map<string, string[]>();
  for (const entry of catalog.skipped) {
    const keys = perReason.get(entry.reason) ?? [];
    keys.push(entry.key);
    perReason.set(entry.reason, keys);
  }
  const lines = [`source ${catalog.source.name} (${catalog.source.date}, sha256 ${catalog.source.sha256})`];
  for (const [provider, counts] of perProvider) {
    lines.push(`  ${provider.padEnd(10)} ${counts.models} models, ${counts.aliases} aliases`);
  }
  lines.push(`skipped ${catalog.skipped.length} chat rows:`);
  for (const [reason, keys] of perReason) lines.push(`  ${reason}: ${keys.join(", ")}`);
  return lines.join("\n");
}
