import { type RawBuilder, sql } from "kysely";

/**
 * Upper bounds (exclusive, ms) of the fixed latency histogram buckets; one more bucket holds
 * everything from the last bound up. Spaced roughly logarithmically over what LLM calls take
 * (tens of ms for a cached error to minutes for long generations), so a percentile read from
 * the histogram is off by at most a fraction of one bucket's width. Changing them needs a
 * rollup rebuild (`pnpm llmg rollups rebuild`).
 */
export const LATENCY_BOUNDS_MS = [
  25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000, 60000,
  120000,
] as const;

export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

export type TruncUnit = "hour" | "day" | "week" | "month";

/**
 * Start of the UTC hour/day/week (Monday)/month holding `expr`, as a timestamptz. Truncated
 * in UTC whatever the session time zone; the unit is a literal so GROUP BY sees the very
 * same expression as the select list.
 */
export function utcTrunc(unit: TruncUnit, expr: RawBuilder<unknown>): RawBuilder<Date> {
  return sql<Date>`(date_trunc(${sql.lit(unit)}, ${expr} at time zone 'UTC') at time zone 'UTC')`;
}

/** The measure columns every source of usage yields, in this order (see usage_rollups). */
export const MEASURE_COLUMNS = [
  "requests",
  "successes",
  "errors",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost",
  "latency_sum",
  "latency_max",
  "latency_hist",
  "ttft_sum",
  "ttft_count",
  "cache_hits",
  "saved",
] as const;

export const MEASURE_COLUMN_LIST = sql.raw(MEASURE_COLUMNS.join(", "));

const ok = sql.raw(`r.status = 'success'`);

/**
 * Aggregates of raw request rows (alias `r`) into the measure columns, in MEASURE_COLUMNS
 * order. The same expressions build the rollups and the not-yet-rolled tail that queries read
 * live, so both always agree to the last token and the last digit of cost.
 */
export function rawMeasures(): RawBuilder<unknown> {
  rawMeasuresSql ??= buildRawMeasures(true);
  return rawMeasuresSql;
}
let rawMeasuresSql: RawBuilder<unknown> | undefined;

/**
 * The measures of the schema before the response cache (2026-12-04T01-00-00_cache_hits), in
 * PRE_CACHE_MEASURE_COLUMN_LIST order: for tests that rebuild buckets of an older schema.
 */
export function preCacheRawMeasures(): RawBuilder<unknown> {
  return buildRawMeasures(false);
}

export const PRE_CACHE_MEASURE_COLUMN_LIST = sql.raw(
  MEASURE_COLUMNS.filter((c) => c !== "cache_hits" && c !== "saved").join(", "),
);

function buildRawMeasures(withCache: boolean): RawBuilder<unknown> {
  // Plain comparisons rather than width_bucket(): far cheaper per row on a full rebuild.
  const hist = Array.from({ length: LATENCY_BUCKETS }, (_, i) => {
    const lower = i === 0 ? "" : ` and r.latency_ms >= ${LATENCY_BOUNDS_MS[i - 1]}`;
    const upper = i < LATENCY_BOUNDS_MS.length ? ` and r.latency_ms < ${LATENCY_BOUNDS_MS[i]}` : "";
    return sql`count(*) filter (where ${ok}${sql.raw(lower + upper)})`;
  });
  const cache = withCache
    ? sql`,
    count(*) filter (where r.cache_hit) as cache_hits,
    coalesce(sum(r.saved_usd), 0) as saved`
    : sql``;
  return sql`count(*) as requests,
    count(*) filter (where ${ok}) as successes,
    count(*) filter (where not (${ok})) as errors,
    coalesce(sum(r.prompt_tokens), 0)::bigint as prompt_tokens,
    coalesce(sum(r.completion_tokens), 0)::bigint as completion_tokens,
    coalesce(sum(r.cached_tokens), 0)::bigint as cached_tokens,
    coalesce(sum(r.cache_write_tokens), 0)::bigint as cache_write_tokens,
    coalesce(sum(r.reasoning_tokens), 0)::bigint as reasoning_tokens,
    coalesce(sum(r.total_cost), 0) as cost,
    coalesce(sum(r.latency_ms) filter (where ${ok}), 0)::bigint as latency_sum,
    coalesce(max(r.latency_ms) filter (where ${ok}), 0) as latency_max,
    array[${sql.join(hist)}]::bigint[] as latency_hist,
    coalesce(sum(r.ttft_ms) filter (where ${ok} and r.stream), 0)::bigint as ttft_sum,
    count(r.ttft_ms) filter (where ${ok} and r.stream) as ttft_count${cache}`;
}

/** Sums of measure rows (alias `u`) into the measure columns, in MEASURE_COLUMNS order. */
export function summedMeasures(): RawBuilder<unknown> {
  const hist = Array.from({ length: LATENCY_BUCKETS }, (_, i) => sql`sum(u.latency_hist[${sql.lit(i + 1)}])`);
  return sql`sum(u.requests)::bigint as requests,
    sum(u.successes)::bigint as successes,
    sum(u.errors)::bigint as errors,
    sum(u.prompt_tokens)::bigint as prompt_tokens,
    sum(u.completion_tokens)::bigint as completion_tokens,
    sum(u.cached_tokens)::bigint as cached_tokens,
    sum(u.cache_write_tokens)::bigint as cache_write_tokens,
    sum(u.reasoning_tokens)::bigint as reasoning_tokens,
    sum(u.cost) as cost,
    sum(u.latency_sum)::bigint as latency_sum,
    max(u.latency_max) as latency_max,
    array[${sql.join(hist)}]::bigint[] as latency_hist,
    sum(u.ttft_sum)::bigint as ttft_sum,
    sum(u.ttft_count)::bigint as ttft_count,
    sum(u.cache_hits)::bigint as cache_hits,
    sum(u.saved) as saved`;
}

/** Sums of measure rows (alias `u`) with the histogram as scalar columns h0..hN, for reading. */
export function summedMeasuresForRead(): RawBuilder<unknown> {
  summedForReadSql ??= buildSummedForRead();
  return summedForReadSql;
}
let summedForReadSql: RawBuilder<unknown> | undefined;

function buildSummedForRead(): RawBuilder<unknown> {
  const hist = Array.from(
    { length: LATENCY_BUCKETS },
    (_, i) => sql`coalesce(sum(u.latency_hist[${sql.lit(i + 1)}]), 0)::bigint as ${sql.ref(`h${i}`)}`,
  );
  return sql`coalesce(sum(u.requests), 0)::bigint as requests,
    coalesce(sum(u.successes), 0)::bigint as successes,
    coalesce(sum(u.errors), 0)::bigint as errors,
    coalesce(sum(u.prompt_tokens), 0)::bigint as prompt_tokens,
    coalesce(sum(u.completion_tokens), 0)::bigint as completion_tokens,
    coalesce(sum(u.cached_tokens), 0)::bigint as cached_tokens,
    coalesce(sum(u.cache_write_tokens), 0)::bigint as cache_write_tokens,
    coalesce(sum(u.reasoning_tokens), 0)::bigint as reasoning_tokens,
    coalesce(sum(u.cost), 0) as cost,
    coalesce(sum(u.latency_sum), 0)::bigint as latency_sum,
    coalesce(max(u.latency_max), 0) as latency_max,
    coalesce(sum(u.ttft_sum), 0)::bigint as ttft_sum,
    coalesce(sum(u.ttft_count), 0)::bigint as ttft_count,
    coalesce(sum(u.cache_hits), 0)::bigint as cache_hits,
    coalesce(sum(u.saved), 0) as saved,
    ${sql.join(hist)}`;
}

/** `excluded.x` for every measure: an upsert replaces a bucket by its recomputed value. */
export function replaceMeasures(): RawBuilder<unknown> {
  return sql.raw(
    [...MEASURE_COLUMNS.map((c) => `${c} = excluded.${c}`), "updated_at = excluded.updated_at"].join(", "),
  );
}

/**
 * One rollup table and how request rows (alias `r`) map onto its dimension columns. `main`
 * counts every call once per provider × model × key × team; `tags` counts a call once per tag
 * it carries (untagged calls under ''), so it answers tag questions only.
 */
export interface RollupSource {
  table: "usage_rollups" | "usage_tag_rollups";
  /** Dimension columns after user_id, granularity and bucket_start, in primary-key order. */
  dims: readonly string[];
  /** The rows to aggregate: `requests r`, plus whatever the dimension expressions read. */
  from: RawBuilder<unknown>;
  /** One expression per dimension over the rows of `from`. */
  exprs: readonly RawBuilder<unknown>[];
}

export const MAIN_ROLLUP: RollupSource = {
  table: "usage_rollups",
  dims: ["provider", "model", "api_key_id", "team_id"],
  from: sql`requests r`,
  // Primary-key columns cannot be null; '' is never a key or team id.
  exprs: [sql`r.provider`, sql`r.model`, sql`coalesce(r.api_key_id, '')`, sql`coalesce(r.team_id, '')`],
};

export const TAG_ROLLUP: RollupSource = {
  table: "usage_tag_rollups",
  dims: ["provider", "model", "tag"],
  // Tags are validated non-empty on the way in, so '' cannot collide with a real tag. unnest in
  // the select list (a ProjectSet) runs over twice as fast as a LATERAL function scan per row,
  // and the planner still pushes the outer user/time/txid conditions down to the index scan.
  from: sql`(select q.*, unnest(case when cardinality(q.tags) = 0
    then array['']::text[] else q.tags end) as tag from requests q) r`,
  exprs: [sql`r.provider`, sql`r.model`, sql`r.tag`],
};

export const ROLLUP_SOURCES = [MAIN_ROLLUP, TAG_ROLLUP] as const;

/** `u.<dim>, …` (or bare names without an alias). */
export function dimList(source: RollupSource, alias?: string): RawBuilder<unknown> {
  return sql.raw(source.dims.map((d) => (alias ? `${alias}.${d}` : d)).join(", "));
}
