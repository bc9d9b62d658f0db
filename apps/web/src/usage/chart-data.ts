import type { RouterOutputs } from "@llmg/client";

export type Chart = RouterOutputs["usage"]["charts"]["data"];
export type ChartType = "cost" | "requests" | "tokens" | "latency";

export interface SeriesTotal {
  name: string;
  /** cost, requests, tokens: the sum over the buckets; latency: the highest bucket. */
  value: number;
}

/**
 * Rows for recharts, one per bucket. Series are keyed s0, s1, … because recharts reads a
 * dataKey with a dot as a path, and model names ("gpt-4.1") have dots.
 */
export function chartRows(chart: Chart): Record<string, number | string | null>[] {
  return chart.labels.map((label, i) => {
    const row: Record<string, number | string | null> = { t: label };
    chart.series.forEach((s, j) => {
      const value = s.data[i] ?? 0;
      // The API sends 0 ms for a bucket without a successful call; the line skips it.
      row[`s${j}`] = chart.type === "latency" && value === 0 ? null : value;
    });
    return row;
  });
}

/** The figures under each chart, straight from the API's series (sums, or the peak for latency). */
export function seriesTotals(chart: Chart): SeriesTotal[] {
  return chart.series.map((s) => ({
    name: s.label ?? s.name,
    value: chart.type === "latency" ? Math.max(0, ...s.data) : s.data.reduce((a, b) => a + b, 0),
  }));
}

// Formatters made once: recharts calls the axis formatters for every tick on every render and
// layout pass, and toLocaleString() builds a new Intl formatter each call (it was a quarter of
// the Usage page's render time with 90 days × 4 charts).
const HOUR = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  hour12: false,
  timeZone: "UTC",
});
const MONTH = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
const DAY = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A bucket's label on the axis: hours show the time, months the month. All UTC. */
export function bucketLabel(iso: string, granularity: Chart["granularity"]): string {
  const d = new Date(iso);
  if (granularity === "hour") return HOUR.format(d);
  if (granularity === "month") return MONTH.format(d);
  return DAY.format(d);
}

/**
 * A chart figure as text. Costs come as numbers here (the charts carry no exact strings), so
 * a sum is shown to 1e-9 USD, enough for one call's cost, with float noise cut off.
 */
export function figure(type: ChartType | Chart["type"], value: number): string {
  if (type === "cost" || type === "savings") return `$${value.toFixed(9).replace(/\.?0+$/, "")}`;
  if (type === "latency") return `${WHOLE.format(Math.round(value))} ms`;
  return WHOLE.format(Math.round(value));
}
