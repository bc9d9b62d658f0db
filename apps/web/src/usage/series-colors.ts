// Distinct in light and dark, and distinguishable with the common colour-vision deficiencies
// (the Overview's palette).
const PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#db2777", "#7c3aed", "#0891b2", "#65a30d"];
const GREY = "#9ca3af";

// The built-in providers keep one colour each on every chart, whatever order the API ranks them in.
const PROVIDERS = ["openai", "anthropic", "google", "deepseek", "mistral"];
const LATENCY = ["avg", "p50", "p95"];

/**
 * A series' colour from its name, so "openai" (and "openai/gpt-4o") is the same colour in the
 * cost, requests and tokens charts even when the API lists the series in another order.
 */
export function seriesColor(name: string): string {
  if (name === "(other)") return GREY;
  const fixed = LATENCY.indexOf(name);
  if (fixed >= 0) return PALETTE[fixed] as string;
  const provider = PROVIDERS.indexOf(name);
  if (provider >= 0) return PALETTE[provider] as string;
  // Models and anything else: a stable hash of the name.
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return PALETTE[hash % PALETTE.length] as string;
}
