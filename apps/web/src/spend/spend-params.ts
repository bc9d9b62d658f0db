/** The Spend page's view, kept in the URL (?by=tag&period=30d) so a link shows the same view. */

export const DIMENSIONS = [
  { value: "tag", label: "Tag" },
  { value: "key", label: "API key" },
  { value: "team", label: "Team" },
  { value: "model", label: "Model" },
  { value: "provider", label: "Provider" },
] as const;
export type Dimension = (typeof DIMENSIONS)[number]["value"];

export const PERIODS = [
  { value: "month", label: "This month" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "90d", label: "Last 90 days" },
] as const;
export type Period = (typeof PERIODS)[number]["value"];

export function readDimension(value: string | null): Dimension {
  return DIMENSIONS.find((d) => d.value === value)?.value ?? "tag";
}

export function readPeriod(value: string | null): Period {
  return PERIODS.find((p) => p.value === value)?.value ?? "month";
}

const DAY_MS = 86_400_000;

/**
 * The API's range for a period. Without from/to the API answers for this month so far (UTC);
 * the "last N days" periods start at a UTC date (not an instant), so the query's key stays the
 * same all day instead of changing with the clock on every render.
 */
export function rangeOf(period: Period, now = Date.now()): { from?: string } {
  if (period === "month") return {};
  const days = Number(period.slice(0, -1));
  return { from: new Date(now - (days - 1) * DAY_MS).toISOString().slice(0, 10) };
}
