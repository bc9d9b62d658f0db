import { decimalToNumber } from "@llmg/core";
import type { Database, MeasureRow, TruncUnit } from "@llmg/db";
import type { Kysely } from "kysely";
import { type GroupDimension, groupingFor, groupOf, labelGroups, NONE_NAMES, OTHER_NAME } from "./groups";
import { histogramQuantile } from "./histogram";
import { readMeasures } from "./measures";
import { DAY_MS, HOUR_MS } from "./plan";
import { fieldError, type TimeWindow } from "./range";
import { type Aggregate, addInto, emptyAggregate } from "./summary";

export type ChartType = "cost" | "requests" | "tokens" | "latency" | "savings" | "cache_hits";
export type ChartGroup = "none" | GroupDimension;

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
  if (type === "savings") return decimalToNumber(a.saved);
  if (type === "cache_hits") return a.cache_hits;
  if (type === "requests") return a.requests;
  return a.prompt_tokens + a.completion_tokens;
}

/** A money chart's exact decimal sum of an aggregate; the charts of counts and ms have none. */
function exactOf(type: ChartType): ((a: Aggregate) => string) | null {
  if (type === "cost") return (a) => a.cost;
  if (type === "savings") return (a) => a.saved;
  return null;
}

function unitOf(type: ChartType): string {
  if (type === "cost" || type === "savings") return "usd";
  if (type === "cache_hits") return "requests";
  return type === "latency" ? "ms" : type;
}

const avgLatency = (a: Aggregate) => (a.successes > 0 ? Math.round(a.latency_sum / a.successes) : 0);

export interface ChartSeries {
  name: string;
  data: number[];
  /**
   * Cost and savings charts: each point and the series' sum over the range as exact decimal
   * strings, added up from the numeric sums SQL returns (data holds the same as numbers).
   */
  data_exact?: string[];
  total_exact?: string;
  /** Key, team and tag series: the group's id (null = no key/team/tag) and its display name. */
  group?: string | null;
  label?: string | null;
}

export interface ChartRequest {
  type: ChartType;
  granularity: TruncUnit;
  groupBy: ChartGroup;
  /** Series listed one by one when grouped; the rest are summed into one "(other)" series. */
  limit: number;
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
        grouping: {
          bucket: unit,
          ...(request.groupBy === "none" ? {} : groupingFor(request.groupBy)),
        },
        filters: { provider: request.provider, model: request.model },
      })
    : [];

  const dimension = request.groupBy === "none" ? null : request.groupBy;
  // Series are keyed by group id; null (no tag, key or team) gets a name no id can have.
  const nameOf = (r: MeasureRow) =>
    dimension === null ? "total" : (groupOf(dimension, r) ?? NONE_NAMES[dimension]);
  const groupOfName = new Map<string, string | null>();
  const cells = new Map<string, Aggregate[]>();
  for (const row of rows) {
    const i = index.get(row.bucket?.getTime() ?? Number.NaN);
    if (i === undefined) continue;
    const name = nameOf(row);
    if (dimension !== null && !groupOfName.has(name)) groupOfName.set(name, groupOf(dimension, row));
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

  let series: ChartSeries[];
  if (request.type === "latency" && request.groupBy === "none") {
    const buckets = cells.get("total") ?? [];
    series = [
      { name: "avg", data: buckets.map(avgLatency) },
      { name: "p50", data: buckets.map((a) => histogramQuantile(a.latency_hist, 0.5, a.latency_max) ?? 0) },
      { name: "p95", data: buckets.map((a) => histogramQuantile(a.latency_hist, 0.95, a.latency_max) ?? 0) },
    ];
  } else {
    const type = request.type;
    const pointOf = (a: Aggregate) => (type === "latency" ? avgLatency(a) : measureOf(type, a));
    const ranked = [...cells.entries()]
      .map(([name, buckets]) => {
        const whole = buckets.reduce(addInto, emptyAggregate());
        return {
          name,
          buckets,
          whole,
          weight: type === "latency" ? whole.successes : measureOf(type, whole),
        };
      })
      .sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name));
    const listed = ranked.slice(0, request.limit);
    const rest = ranked.slice(request.limit);
    const exact = exactOf(type);
    const seriesOf = (name: string, buckets: Aggregate[], whole: Aggregate): ChartSeries =>
      exact === null
        ? { name, data: buckets.map(pointOf) }
        : { name, data: buckets.map(pointOf), data_exact: buckets.map(exact), total_exact: exact(whole) };
    series = listed.map(({ name, buckets, whole }) => seriesOf(name, buckets, whole));
    if (dimension === "key" || dimension === "team" || dimension === "tag") {
      const groups = listed.map(({ name }) => groupOfName.get(name) ?? null);
      const labels = await labelGroups(db, userId, dimension, groups);
      series = series.map((s, i) => {
        const group = groups[i] ?? null;
        return { ...s, group, label: (group !== null ? labels.get(group)?.name : null) ?? null };
      });
    }
    if (rest.length > 0) {
      const summed = starts.map((_, i) =>
        rest.reduce((into, r) => addInto(into, r.buckets[i] as Aggregate), emptyAggregate()),
      );
      const other = seriesOf(
        OTHER_NAME,
        summed,
        summed.reduce((into, a) => addInto(into, a), emptyAggregate()),
      );
      if (dimension === "key" || dimension === "team" || dimension === "tag") {
        other.group = null;
        other.label = null;
      }
      series.push(other);
    }
  }
  return {
    type: request.type,
    granularity: unit,
    group_by: request.groupBy,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    unit: unitOf(request.type),
    labels: starts.map((s) => new Date(s).toISOString()),
    series,
  };
}

export type UsageChart = Awaited<ReturnType<typeof usageChart>>;
