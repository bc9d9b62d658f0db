/**
 * The Usage page's view lives in the query string, so a link shows the same view and a reload
 * restores it: range (7d, 30d, 90d, month, custom with from/to), granularity, split, provider
 * and model. Anything missing or unknown falls back to the default.
 */

export const RANGES = [
  { id: "7d", label: "Last 7 days", days: 7 },
  { id: "30d", label: "Last 30 days", days: 30 },
  { id: "90d", label: "Last 90 days", days: 90 },
  { id: "month", label: "This month", days: null },
  { id: "custom", label: "Custom dates", days: null },
] as const;
export type RangeId = (typeof RANGES)[number]["id"];

export const GRANULARITIES = ["hour", "day", "week", "month"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

// group_by values the charts page offers (tag, key and team belong to other views).
export const SPLITS = [
  { id: "provider", label: "Provider" },
  { id: "model", label: "Model" },
  { id: "none", label: "Nothing (one total)" },
] as const;
export type Split = (typeof SPLITS)[number]["id"];

export interface UsageView {
  range: RangeId;
  /** Bare UTC dates, both inclusive: the API reads a bare `to` as the end of that day. */
  from: string;
  to: string;
  granularity: Granularity;
  split: Split;
  provider: string | undefined;
  model: string | undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** The dates a preset covers, counted in whole UTC days ending today (the buckets are UTC). */
export function presetDates(range: RangeId, now: number): { from: string; to: string } {
  const today = isoDay(now);
  if (range === "month") return { from: `${today.slice(0, 8)}01`, to: today };
  const days = RANGES.find((r) => r.id === range)?.days ?? 30;
  return { from: isoDay(now - (days - 1) * DAY_MS), to: today };
}

export function readView(params: URLSearchParams, now: number): UsageView {
  const range = oneOf(
    params.get("range"),
    RANGES.map((r) => r.id),
    "30d",
  );
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const dates =
    range === "custom" && DATE.test(from) && DATE.test(to) ? { from, to } : presetDates(range, now);
  return {
    range: range === "custom" && !(DATE.test(from) && DATE.test(to)) ? "30d" : range,
    ...dates,
    granularity: oneOf(params.get("granularity"), GRANULARITIES, "day"),
    split: oneOf(
      params.get("split"),
      SPLITS.map((s) => s.id),
      "provider",
    ),
    provider: params.get("provider") || undefined,
    model: params.get("model") || undefined,
  };
}

/** The query string of a view: only what differs from the defaults, dates only when custom. */
export function writeView(view: UsageView): URLSearchParams {
  const out = new URLSearchParams();
  if (view.range !== "30d") out.set("range", view.range);
  if (view.range === "custom") {
    out.set("from", view.from);
    out.set("to", view.to);
  }
  if (view.granularity !== "day") out.set("granularity", view.granularity);
  if (view.split !== "provider") out.set("split", view.split);
  if (view.provider) out.set("provider", view.provider);
  if (view.model) out.set("model", view.model);
  return out;
}
