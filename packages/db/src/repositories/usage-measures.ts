import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "../types";
import {
  dimList,
  LATENCY_BUCKETS,
  MAIN_ROLLUP,
  type RollupSource,
  rawMeasures,
  summedMeasuresForRead,
  TAG_ROLLUP,
  type TruncUnit,
  utcTrunc,
} from "./rollups-sql";

/** [start, end) in epoch milliseconds. */
export type TimeRange = readonly [number, number];

/**
 * Where each part of a time range is read from. The rollups hold exactly the rows inserted
 * below the watermark; `days` and `hours` read them, `tail` adds the rows at or past the
 * watermark inside its range, and `raw` reads partial hours whole from the request rows (the
 * tail excludes them). So every row is counted once, from a rollup or from itself.
 */
export interface SourcePlan {
  days: TimeRange[];
  hours: TimeRange[];
  raw: TimeRange[];
  tail: TimeRange | null;
  watermark: number;
}

export interface MeasureFilters {
  provider?: string | undefined;
  model?: string | undefined;
}

export interface MeasureGrouping {
  bucket?: TruncUnit | undefined;
  provider?: boolean | undefined;
  model?: boolean | undefined;
  /** Per API key (requests.api_key_id). */
  key?: boolean | undefined;
  /** Per team the call counted for (requests.team_id). */
  team?: boolean | undefined;
  /**
   * Per tag, read from the tag rollups: a call is counted once in each of its tags' groups,
   * untagged calls in one group of their own. Not combinable with key or team.
   */
  tag?: boolean | undefined;
  /** Per user (requests.user_id): only useful when reading every user's usage. */
  user?: boolean | undefined;
}

/** A user's id, or null for every user's usage at once (the admin's view). */
export type MeasureScope = string | null;

export interface MeasureRow {
  bucket: Date | null;
  /** When grouped by user: the user's id. */
  user_id: string | null;
  provider: string | null;
  model: string | null;
  /** When grouped by key/team/tag: the group's value, null for calls without one. */
  api_key_id: string | null;
  team_id: string | null;
  tag: string | null;
  requests: number;
  successes: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Exact decimal string. */
  cost: string;
  latency_sum: number;
  latency_max: number;
  /** Successful calls per latency bucket (bounds: LATENCY_BOUNDS_MS). */
  latency_hist: number[];
  ttft_sum: number;
  ttft_count: number;
  /** Calls answered from the response cache. */
  cache_hits: number;
  /** What those calls would have cost: exact decimal string. */
  saved: string;
}

export interface WindowProbe {
  watermark: number;
  /** Rows exist in the hour holding `from`, before it (so its hourly rollup overshoots). */
  headOutside: boolean;
  /** Rows exist in the hour holding `to`, at or after it. */
  tailOutside: boolean;
}

const HOUR_MS = 3_600_000;

/** `<alias>.user_id = $1`, or no condition at all for every user. */
function userIs(alias: string, userId: MeasureScope): RawBuilder<unknown> {
  return userId === null ? sql`true` : sql`${sql.ref(`${alias}.user_id`)} = ${userId}`;
}

/**
 * The watermark, and whether the partial hours at the window's edges hold rows outside it.
 * Read in the caller's snapshot, which the measures must then be read in too.
 */
export async function probeWindow(
  db: Kysely<Database>,
  userId: MeasureScope,
  from: Date,
  to: Date,
): Promise<WindowProbe> {
  const headStart = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
  const tailEnd = new Date(Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS);
  const outside = (start: Date, end: Date) =>
    start < end
      ? sql<boolean>`exists (select 1 from requests q where ${userIs("q", userId)}
          and q.created_at >= ${start} and q.created_at < ${end})`
      : sql<boolean>`false`;
  const { rows } = await sql<{ watermark: number | null; head: boolean; tail: boolean }>`
    select (select watermark from usage_rollup_state where id = 'usage') as watermark,
      ${outside(headStart, from)} as head, ${outside(to, tailEnd)} as tail`.execute(db);
  const row = rows[0];
  return {
    watermark: Number(row?.watermark ?? 0),
    headOutside: row?.head === true,
    tailOutside: row?.tail === true,
  };
}

function rangeValues(ranges: readonly TimeRange[]): RawBuilder<unknown> {
  return sql`(values ${sql.join(
    ranges.map(([s, e]) => sql`(cast(${new Date(s)} as timestamptz), cast(${new Date(e)} as timestamptz))`),
  )}) as w(s, e)`;
}

function filterSql(alias: string, filters: MeasureFilters): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (filters.provider !== undefined)
    parts.push(sql`and ${sql.ref(`${alias}.provider`)} = ${filters.provider}`);
  if (filters.model !== undefined) parts.push(sql`and ${sql.ref(`${alias}.model`)} = ${filters.model}`);
  return sql.join(parts, sql` `);
}

const MEASURES_READ = sql.raw(`requests, successes, errors, prompt_tokens,
  completion_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, cost, latency_sum,
  latency_max, latency_hist, ttft_sum, ttft_count, cache_hits, saved`);

function rollupBranch(
  source: RollupSource,
  userId: MeasureScope,
  granularity: "hour" | "day",
  ranges: readonly TimeRange[],
  f: MeasureFilters,
) {
  // One index range scan of the primary key per range. `offset 0` keeps the planner from
  // flattening the LATERAL into a join, which it would run as a scan of all the user's buckets.
  return sql`select x.* from ${rangeValues(ranges)}
    cross join lateral (
      select u.bucket_start as t, u.user_id, ${dimList(source, "u")}, u.requests, u.successes, u.errors,
        u.prompt_tokens, u.completion_tokens, u.cached_tokens, u.cache_write_tokens, u.reasoning_tokens,
        u.cost, u.latency_sum, u.latency_max, u.latency_hist, u.ttft_sum, u.ttft_count,
        u.cache_hits, u.saved
      from ${sql.table(source.table)} u
      where ${userIs("u", userId)} and u.granularity = ${granularity}
        and u.bucket_start >= w.s and u.bucket_start < w.e ${filterSql("u", f)}
      offset 0
    ) x`;
}

const hourOfRow = utcTrunc("hour", sql`r.created_at`);

function rawBranch(
  source: RollupSource,
  userId: MeasureScope,
  ranges: readonly TimeRange[],
  f: MeasureFilters,
) {
  const exprs = sql.join(source.exprs);
  // LATERAL keeps each range one index range scan on (user_id, created_at).
  return sql`select x.* from ${rangeValues(ranges)}
    cross join lateral (
      select ${hourOfRow} as t, r.user_id, ${exprs}, ${rawMeasures()}
      from ${source.from}
      where ${userIs("r", userId)} and r.created_at >= w.s and r.created_at < w.e ${filterSql("r", f)}
      group by ${hourOfRow}, r.user_id, ${exprs}
    ) x`;
}

/** Rows past the watermark, found through the txid index: what the rollups do not hold yet. */
function tailBranch(
  source: RollupSource,
  userId: MeasureScope,
  range: TimeRange,
  watermark: number,
  f: MeasureFilters,
) {
  const exprs = sql.join(source.exprs);
  return sql`select ${hourOfRow} as t, r.user_id, ${exprs}, ${rawMeasures()}
    from ${source.from}
    where r.txid >= cast(cast(${String(watermark)} as text) as xid8) and ${userIs("r", userId)}
      and r.created_at >= ${new Date(range[0])} and r.created_at < ${new Date(range[1])} ${filterSql("r", f)}
    group by ${hourOfRow}, r.user_id, ${exprs}`;
}

/**
 * Usage of one user (or of every user, `userId` null) over the plan's ranges, summed per the
 * requested grouping. One statement:
 * the rollup rows and the live rows are unioned and summed together in SQL, so cost sums stay
 * exact `numeric` all the way. Must run in the snapshot the plan's probe was read in.
 */
export async function queryMeasures(
  db: Kysely<Database>,
  userId: MeasureScope,
  plan: SourcePlan,
  grouping: MeasureGrouping,
  filters: MeasureFilters = {},
): Promise<MeasureRow[]> {
  if (grouping.tag && (grouping.key || grouping.team))
    throw new Error("tags group alone, not with key or team");
  const source = grouping.tag ? TAG_ROLLUP : MAIN_ROLLUP;
  const branches: RawBuilder<unknown>[] = [];
  if (plan.days.length > 0) branches.push(rollupBranch(source, userId, "day", plan.days, filters));
  if (plan.hours.length > 0) branches.push(rollupBranch(source, userId, "hour", plan.hours, filters));
  if (plan.raw.length > 0) branches.push(rawBranch(source, userId, plan.raw, filters));
  if (plan.tail) branches.push(tailBranch(source, userId, plan.tail, plan.watermark, filters));
  if (branches.length === 0) return [];

  const keys: RawBuilder<unknown>[] = [];
  const select: RawBuilder<unknown>[] = [];
  if (grouping.bucket) {
    const bucket = utcTrunc(grouping.bucket, sql`u.t`);
    keys.push(bucket);
    select.push(sql`${bucket} as bucket`);
  } else select.push(sql`null::timestamptz as bucket`);
  if (grouping.user) {
    keys.push(sql`u.user_id`);
    select.push(sql`u.user_id`);
  } else select.push(sql`null::text as user_id`);
  if (grouping.provider) {
    keys.push(sql`u.provider`);
    select.push(sql`u.provider`);
  } else select.push(sql`null::text as provider`);
  if (grouping.model) {
    keys.push(sql`u.model`);
    select.push(sql`u.model`);
  } else select.push(sql`null::text as model`);
  // '' stands for "none" in the rollups' key columns; the API says null.
  const dimension = (wanted: boolean | undefined, column: string) => {
    if (wanted) {
      keys.push(sql.ref(`u.${column}`));
      select.push(sql`nullif(${sql.ref(`u.${column}`)}, '') as ${sql.ref(column)}`);
    } else select.push(sql`null::text as ${sql.ref(column)}`);
  };
  dimension(grouping.key, "api_key_id");
  dimension(grouping.team, "team_id");
  dimension(grouping.tag, "tag");
  const groupBy = keys.length > 0 ? sql`group by ${sql.join(keys)}` : sql``;
  // Without grouping keys an aggregate over nothing still yields one row; drop it when empty.
  const having = keys.length > 0 ? sql`` : sql`having count(*) > 0`;

  const { rows } = await sql<Record<string, unknown>>`
    with src (t, user_id, ${dimList(source)}, ${MEASURES_READ}) as (${sql.join(branches, sql` union all `)})
    select ${sql.join(select)}, ${summedMeasuresForRead()}
    from src u ${groupBy} ${having}`.execute(db);
  return rows.map(toMeasureRow);
}

function toMeasureRow(row: Record<string, unknown>): MeasureRow {
  const n = (key: string) => Number(row[key] ?? 0);
  return {
    bucket: row.bucket ? new Date(row.bucket as Date) : null,
    user_id: (row.user_id as string | null) ?? null,
    provider: (row.provider as string | null) ?? null,
    model: (row.model as string | null) ?? null,
    api_key_id: (row.api_key_id as string | null) ?? null,
    team_id: (row.team_id as string | null) ?? null,
    tag: (row.tag as string | null) ?? null,
    requests: n("requests"),
    successes: n("successes"),
    errors: n("errors"),
    prompt_tokens: n("prompt_tokens"),
    completion_tokens: n("completion_tokens"),
    cached_tokens: n("cached_tokens"),
    cache_write_tokens: n("cache_write_tokens"),
    reasoning_tokens: n("reasoning_tokens"),
    cost: String(row.cost ?? "0"),
    latency_sum: n("latency_sum"),
    latency_max: n("latency_max"),
    latency_hist: Array.from({ length: LATENCY_BUCKETS }, (_, i) => n(`h${i}`)),
    ttft_sum: n("ttft_sum"),
    ttft_count: n("ttft_count"),
    cache_hits: n("cache_hits"),
    saved: String(row.saved ?? "0"),
  };
}

export interface GroupLabel {
  id: string;
  name: string | null;
  /** API keys only: the key's visible prefix. */
  prefix: string | null;
}

/**
 * Names of the caller's own keys among `ids`: a key id on one of the caller's rows is always
 * theirs (deleted keys simply get no label).
 */
export async function keyLabels(db: Kysely<Database>, userId: string, ids: string[]): Promise<GroupLabel[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("api_keys")
    .select(["id", "name", "prefix"])
    .where("user_id", "=", userId)
    .where("id", "in", ids)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix }));
}

/**
 * Names of the teams among `ids`. Only ids found on the caller's own calls are asked for, so a
 * name is shown only for a team the caller's key counted for (a former member keeps seeing the
 * name next to their own past spend).
 */
export async function teamLabels(db: Kysely<Database>, ids: string[]): Promise<GroupLabel[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("teams").select(["id", "name"]).where("id", "in", ids).execute();
  return rows.map((r) => ({ id: r.id, name: r.name, prefix: null }));
}
