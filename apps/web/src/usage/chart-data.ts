import type { RouterOutputs } from "@llmg/client";
import { usdExact } from "../shared/format";

export type Chart = RouterOutputs["usage"]["charts"]["data"];
export type ChartType = "cost" | "requests" | "tokens" | "latency";

export interface SeriesTotal {
  name: string;
  /** cost, requests, tokens: the sum over the buckets; latency: the highest bucket. */
  value: number;
  /** Cost: the API's exact sum of the series (total_exact), shown as it is. */
  exact: string | null;
}

/**
 * Rows for recharts, one per bucket. Series are keyed s0, s1, … because recharts reads a
 * dataKey with a dot as a path, and model names ("gpt-4.1") have dots. A cost point's exact
 * string rides along as x0, x1, … for the tooltip; the bars are drawn from the numbers.
 */
export function chartRows(chart: Chart): Record<string, number | string | null>[] {
  return chart.labels.map((label, i) => {
    const row: Record<string, number | string | null> = { t: label };
    chart.series.forEach((s, j) => {
      const value = s.data[i] ?? 0;
      // The API sends 0 ms for a bucket without a successful call; the line skips it.
      row[`s${j}`] = chart.type === "latency" && value === 0 ? null : value;
      const exact = s.data_exact?.[i];
      if (exact !== undefined) row[`x${j}`] = exact;
    });
    return row;
  });
}

/** The exact string of a point a tooltip shows (dataKey s3 → x3), when the API sent one. */
export function exactPoint(dataKey: unknown, row: unknown): string | null {
  if (typeof dataKey !== "string" || typeof row !== "object" || row === null) return null;
  const exact = (row as Record<string, unknown>)[dataKey.replace(/^s/, "x")];
  return typeof exact === "string" ? exact : null;
}

/** The figures under each chart, straight from the API's series (sums, or the peak for latency). */
export function seriesTotals(chart: Chart): SeriesTotal[] {
  return chart.series.map((s) => ({
    name: s.label ?? s.name,
    value: chart.type === "latency" ? Math.max(0, ...s.data) : s.data.reduce((a, b) => a + b, 0),
    exact: s.total_exact ?? null,
  }));
}

/** A figure of the table under a chart: money as the API's exact sum, counts and ms rounded. */
export function totalFigure(type: Chart["type"], total: SeriesTotal): string {
  return total.exact !== null ? usdExact(total.exact) : figure(type, total.value);
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
 * An axis tick as text. Ticks are positions on a float scale, not amounts charged, so a cost
 * is shown to 1e-9 USD with float noise cut off; amounts come from the exact strings.
 */
export function figure(type: ChartType | Chart["type"], value: number): string {
  if (type === "cost" || type === "savings") return `$${value.toFixed(9).replace(/\.?0+$/, "")}`;
  if (type === "latency") return `${WHOLE.format(Math.round(value))} ms`;
  return WHOLE.format(Math.round(value));
}
