import { decimalToNumber } from "@llmg/core";
import type { Database, MeasureRow, TruncUnit } from "@llmg/db";
import type { Kysely } from "kysely";
import { histogramQuantile } from "./histogram";
import { readMeasures } from "./measures";
import { DAY_MS, HOUR_MS } from "./plan";
import { fieldError, type TimeWindow } from "./range";
import { type Aggregate, addInto, emptyAggregate } from "./summary";

export type ChartType = "cost" | "requests" | "tokens" | "latency";
export type ChartGroup = "none" | "provider" | "model";

/** More points than any chart can show; beyond it the granularity is too fine for the range. */
export const MAX_CHART_BUCKETS = 10_000;

/** Start of the UTC bucket holding `t` (weeks start on Monday, as PostgreSQL's date_trunc). */
export function bucketStart(t: number, unit: TruncUnit): number {
  const d = new Date(t);
  switch (unit) {
    case "hour":
      return Math.floor(t / HOUR_MS) * HOUR_MS;
    case "day":
      return Math.floor(t / DAY_MS) * DAY_MS;
    case "week": {
      const day = Math.floor(t / DAY_MS) * DAY_MS;
      return day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
    }
    case "month":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
}

function nextBucket(start: number, unit: TruncUnit): number {
  if (unit === "month") {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return start + (unit === "hour" ? HOUR_MS : unit === "day" ? DAY_MS : 7 * DAY_MS);
}

/** Every bucket overlapping [from, to), so the chart has a point for each even when empty. */
export function bucketStarts(window: TimeWindow, unit: TruncUnit): number[] {
  const starts: number[] = [];
  const to = window.to.getTime();
  for (let b = bucketStart(window.from.getTime(), unit); b < to; b = nextBucket(b, unit)) {
    starts.push(b);
    if (starts.length > MAX_CHART_BUCKETS) {
      throw fieldError(
        "granularity",
        `more than ${MAX_CHART_BUCKETS} buckets: choose a coarser granularity or a shorter range`,
      );
    }
  }
  return starts;
}

function measureOf(type: Exclude<ChartType, "latency">, a: Aggregate): number {
  if (type === "cost") return decimalToNumber(a.cost);
  if (type === "requests") return a.requests;
  return a.prompt_tokens + a.completion_tokens;
}

const avgLatency = (a: Aggregate) => (a.successes > 0 ? Math.round(a.latency_sum / a.successes) : 0);

export interface ChartRequest {
  type: ChartType;
  granularity: TruncUnit;
  groupBy: ChartGroup;
  provider?: string | undefined;
  model?: string | undefined;
}

/**
 * Chart-ready series: one label per bucket start (ISO, UTC) and, per series, one number per
 * label with 0 where nothing happened. Without grouping: one "total" series (latency: avg,
 * p50 and p95); grouped: one series per provider or provider/model, largest first.
 */
export async function usageChart(
  db: Kysely<Database>,
  userId: string,
  window: TimeWindow,
  request: ChartRequest,
) {
  const unit = request.granularity;
  const starts = bucketStarts(window, unit);
  const index = new Map(starts.map((s, i) => [s, i]));
  const rows = starts.length
    ? await readMeasures(db, {
        userId,
        from: window.from,
        to: window.to,
        grouping: { bucket: unit, provider: request.groupBy !== "none", model: request.groupBy === "model" },
        filters: { provider: request.provider, model: request.model },
      })
    : [];

  const nameOf = (r: MeasureRow) =>
    request.groupBy === "provider"
      ? (r.provider ?? "")
      : request.groupBy === "model"
        ? `${r.provider}/${r.model}`
        : "total";
  const cells = new Map<string, Aggregate[]>();
  for (const row of rows) {
    const i = index.get(row.bucket?.getTime() ?? Number.NaN);
    if (i === undefined) continue;
    const name = nameOf(row);
    let series = cells.get(name);
    if (!series) {
      series = starts.map(() => emptyAggregate());
      cells.set(name, series);
    }
    addInto(series[i] as Aggregate, row);
  }
  if (request.groupBy === "none" && !cells.has("total"))
    cells.set(
      "total",
      starts.map(() => emptyAggregate()),
    );

  let series: { name: string; data: number[] }[];
  if (request.type === "latency" && request.groupBy === "none") {
    const buckets = cells.get("total") ?? [];
    series = [
      { name: "avg", data: buckets.map(avgLatency) },
      { name: "p50", data: buckets.map((a) => histogramQuantile(a.latency_hist, 0.5, a.latency_max) ?? 0) },
      { name: "p95", data: buckets.map((a) => histogramQuantile(a.latency_hist, 0.95, a.latency_max) ?? 0) },
    ];
  } else {
    const type = request.type;
    const weight = new Map<string, number>();
    series = [...cells.entries()].map(([name, buckets]) => {
      const whole = buckets.reduce(addInto, emptyAggregate());
      weight.set(name, type === "latency" ? whole.successes : measureOf(type, whole));
      return { name, data: buckets.map((a) => (type === "latency" ? avgLatency(a) : measureOf(type, a))) };
    });
    series.sort(
      (a, b) => (weight.get(b.name) ?? 0) - (weight.get(a.name) ?? 0) || a.name.localeCompare(b.name),
    );
  }
  return {
    type: request.type,
    granularity: unit,
    group_by: request.groupBy,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    unit: request.type === "cost" ? "usd" : request.type === "latency" ? "ms" : request.type,
    labels: starts.map((s) => new Date(s).toISOString()),
    series,
  };
}

export type UsageChart = Awaited<ReturnType<typeof usageChart>>;
