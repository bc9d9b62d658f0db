import { addDecimals, decimalToNumber } from "@llmg/core";
import { type Database, LATENCY_BUCKETS, type MeasureRow } from "@llmg/db";
import type { Kysely } from "kysely";
import { type GroupDimension, groupingFor, groupOf, labelGroups } from "./groups";
import { addHistograms, histogramQuantile } from "./histogram";
import { readMeasures } from "./measures";
import type { TimeWindow } from "./range";

/** Measures summed over some rows: a MeasureRow without its grouping keys. */
export type Aggregate = Omit<
  MeasureRow,
  "bucket" | "user_id" | "provider" | "model" | "api_key_id" | "team_id" | "tag"
>;

export function emptyAggregate(): Aggregate {
  return {
    requests: 0,
    successes: 0,
    errors: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost: "0",
    latency_sum: 0,
    latency_max: 0,
    latency_hist: new Array<number>(LATENCY_BUCKETS).fill(0),
    ttft_sum: 0,
    ttft_count: 0,
    cache_hits: 0,
    saved: "0",
  };
}

export function addInto(into: Aggregate, row: MeasureRow | Aggregate): Aggregate {
  into.requests += row.requests;
  into.successes += row.successes;
  into.errors += row.errors;
  into.prompt_tokens += row.prompt_tokens;
  into.completion_tokens += row.completion_tokens;
  into.cached_tokens += row.cached_tokens;
  into.cache_write_tokens += row.cache_write_tokens;
  into.reasoning_tokens += row.reasoning_tokens;
  into.cost = addDecimals(into.cost, row.cost);
  into.latency_sum += row.latency_sum;
  into.latency_max = Math.max(into.latency_max, row.latency_max);
  addHistograms(into.latency_hist, row.latency_hist);
  into.ttft_sum += row.ttft_sum;
  into.ttft_count += row.ttft_count;
  into.cache_hits += row.cache_hits;
  into.saved = addDecimals(into.saved, row.saved);
  return into;
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

export function totalsOf(a: Aggregate) {
  return {
    requests: a.requests,
    successful: a.successes,
    failed: a.errors,
    success_rate: ratio(a.successes, a.requests),
    prompt_tokens: a.prompt_tokens,
    completion_tokens: a.completion_tokens,
    cached_tokens: a.cached_tokens,
    reasoning_tokens: a.reasoning_tokens,
    total_tokens: a.prompt_tokens + a.completion_tokens,
    cost_usd: decimalToNumber(a.cost),
    cost_usd_exact: a.cost,
    cache_hits: a.cache_hits,
    saved_usd: decimalToNumber(a.saved),
    saved_usd_exact: a.saved,
  };
}

/** Latency figures of successful calls; null when there were none. */
export function latencyOf(a: Aggregate) {
  return {
    avg_latency_ms: a.successes > 0 ? Math.round(a.latency_sum / a.successes) : null,
    p50_latency_ms: histogramQuantile(a.latency_hist, 0.5, a.latency_max),
    p95_latency_ms: histogramQuantile(a.latency_hist, 0.95, a.latency_max),
    max_latency_ms: a.successes > 0 ? a.latency_max : null,
  };
}

function groupBy(rows: MeasureRow[], key: (r: MeasureRow) => string): Map<string, Aggregate> {
  const groups = new Map<string, Aggregate>();
  for (const row of rows) {
    const k = key(row);
    const agg = groups.get(k) ?? emptyAggregate();
    groups.set(k, addInto(agg, row));
  }
  return groups;
}

const costShare = (part: string, whole: string) => {
  const w = decimalToNumber(whole);
  return w > 0 ? Math.round((decimalToNumber(part) / w) * 10_000) / 10_000 : 0;
};

/** Biggest spend first, then most calls: what a dashboard lists first. */
function bySpend<T extends { cost_usd: number; requests: number }>(a: T, b: T): number {
  return b.cost_usd - a.cost_usd || b.requests - a.requests;
}

const relativeChange = (now: number, before: number) =>
  before > 0 ? Math.round(((now - before) / before) * 10_000) / 10_000 : null;

export interface SummaryGrouping {
  dimension: GroupDimension;
  /** Groups listed one by one, biggest spend first; the rest are summed into `other`. */
  limit: number;
}

export async function usageSummary(
  db: Kysely<Database>,
  userId: string,
  window: TimeWindow,
  grouping?: SummaryGrouping,
) {
  const { from, to } = window;
  const previousFrom = new Date(from.getTime() - (to.getTime() - from.getTime()));
  const byProviderModel = (d: GroupDimension) => d === "provider" || d === "model";
  const [rows, previousRows, groupRows] = await Promise.all([
    readMeasures(db, { userId, from, to, grouping: { provider: true, model: true } }),
    readMeasures(db, { userId, from: previousFrom, to: from, grouping: {} }),
    grouping && !byProviderModel(grouping.dimension)
      ? readMeasures(db, { userId, from, to, grouping: groupingFor(grouping.dimension) })
      : undefined,
  ]);
  const total = rows.reduce(addInto, emptyAggregate());
  const previous = previousRows.reduce(addInto, emptyAggregate());

  const providers = [...groupBy(rows, (r) => r.provider ?? "").entries()].map(([provider, a]) => ({
    provider,
    ...totalsOf(a),
    error_rate: ratio(a.errors, a.requests),
    cost_share: costShare(a.cost, total.cost),
  }));
  const models = [...groupBy(rows, (r) => `${r.provider}\u0000${r.model}`).entries()].map(([key, a]) => {
    const [provider = "", model = ""] = key.split("\u0000");
    return {
      provider,
      model,
      ...totalsOf(a),
      cost_share: costShare(a.cost, total.cost),
      avg_latency_ms: latencyOf(a).avg_latency_ms,
    };
  });
  const totals = totalsOf(total);
  const previousTotals = totalsOf(previous);
  const grouped = grouping
    ? await groupSummary(db, userId, grouping, groupRows ?? rows, total.cost)
    : undefined;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    totals,
    by_provider: providers.sort(bySpend),
    by_model: models.sort(bySpend),
    performance: {
      ...latencyOf(total),
      avg_ttft_ms: total.ttft_count > 0 ? Math.round(total.ttft_sum / total.ttft_count) : null,
      streamed_requests: total.ttft_count,
      error_rate: ratio(total.errors, total.requests),
      error_rate_by_provider: providers
        .map((p) => ({
          provider: p.provider,
          requests: p.requests,
          failed: p.failed,
          error_rate: p.error_rate,
        }))
        .sort((a, b) => b.error_rate - a.error_rate || b.requests - a.requests),
    },
    previous_period: {
      from: previousFrom.toISOString(),
      to: from.toISOString(),
      totals: previousTotals,
      change: {
        requests: relativeChange(totals.requests, previousTotals.requests),
        total_tokens: relativeChange(totals.total_tokens, previousTotals.total_tokens),
        cost_usd: relativeChange(totals.cost_usd, previousTotals.cost_usd),
      },
    },
    ...grouped,
  };
}

/**
 * The period's usage per group, biggest spend first, the first `limit` listed and the rest
 * summed into `other`. Sums are exact: each group's cost is the numeric sum of its rows.
 */
async function groupSummary(
  db: Kysely<Database>,
  userId: string,
  grouping: SummaryGrouping,
  rows: MeasureRow[],
  totalCost: string,
) {
  const { dimension, limit } = grouping;
  const sums = new Map<string | null, Aggregate>();
  for (const row of rows) {
    const group = groupOf(dimension, row);
    sums.set(group, addInto(sums.get(group) ?? emptyAggregate(), row));
  }
  const ranked = [...sums.entries()]
    .map(([group, a]) => ({ group, a, cost: decimalToNumber(a.cost) }))
    .sort(
      (x, y) =>
        y.cost - x.cost ||
        y.a.requests - x.a.requests ||
        (x.group ?? "").localeCompare(y.group ?? "") ||
        (x.group === null ? 1 : 0) - (y.group === null ? 1 : 0),
    );
  const listed = ranked.slice(0, limit);
  const rest = ranked.slice(limit);
  const labels = await labelGroups(
    db,
    userId,
    dimension,
    listed.map((g) => g.group),
  );
  const restSum = rest.reduce((into, g) => addInto(into, g.a), emptyAggregate());
  return {
    group_by: dimension,
    groups: listed.map(({ group, a }) => ({
      group,
      name: (group !== null ? labels.get(group)?.name : null) ?? null,
      key_prefix: (group !== null ? labels.get(group)?.key_prefix : null) ?? null,
      ...totalsOf(a),
      cost_share: costShare(a.cost, totalCost),
    })),
    other:
      rest.length > 0
        ? { groups: rest.length, ...totalsOf(restSum), cost_share: costShare(restSum.cost, totalCost) }
        : null,
  };
}

export type UsageSummary = Awaited<ReturnType<typeof usageSummary>>;
