import { type Kysely, sql } from "kysely";
import type { Database, UsageRollupState } from "../types";
import {
  dimList,
  MAIN_ROLLUP,
  MEASURE_COLUMN_LIST,
  ROLLUP_SOURCES,
  type RollupSource,
  rawMeasures,
  replaceMeasures,
  summedMeasures,
  utcTrunc,
} from "./rollups-sql";

/** The one rollup stream this deployment keeps (a row in usage_rollup_state). */
export const ROLLUP_STREAM = "usage";

// Any constant works; it only has to be the same for every run against one database.
const ROLLUP_LOCK_KEY = 0x11_6d_67_72; // "llmgr"

/**
 * Serialises rollup runs: waits for a running one (wait) or reports false at once. Two runs
 * recomputing the same bucket from different snapshots could otherwise commit the older result
 * last and lose a row for good. Transaction-scoped, so it is released by commit or rollback.
 */
export async function lockRollups(trx: Kysely<Database>, wait: boolean): Promise<boolean> {
  if (wait) {
    await sql`select pg_advisory_xact_lock(${sql.lit(ROLLUP_LOCK_KEY)})`.execute(trx);
    return true;
  }
  const { rows } = await sql<{
    locked: boolean;
  }>`select pg_try_advisory_xact_lock(${sql.lit(ROLLUP_LOCK_KEY)}) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

/**
 * Every transaction whose id is below the returned value has finished, so every row with a
 * txid below it is visible from now on: the next watermark. Must be read before the rows are.
 */
export async function snapshotWatermark(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{
    xmin: number;
  }>`select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin`.execute(db);
  return Number(rows[0]?.xmin ?? 0);
}

export async function readRollupState(db: Kysely<Database>): Promise<UsageRollupState | undefined> {
  return db.selectFrom("usage_rollup_state").selectAll().where("id", "=", ROLLUP_STREAM).executeTakeFirst();
}

const wm = (watermark: number) => sql`cast(cast(${String(watermark)} as text) as xid8)`;
const HOUR = sql`interval '1 hour'`;
// 24 hours, not '1 day': adding a day to a timestamptz follows the session's DST rules.
const DAY = sql`interval '24 hours'`;

/** Rows inserted by transactions at or past the watermark (and below `below`): the tail. */
export async function countRowsSince(
  db: Kysely<Database>,
  watermark: number,
  below?: number,
  cap?: number,
): Promise<number> {
  const upper = below === undefined ? sql`` : sql`and txid < ${wm(below)}`;
  const limit = cap === undefined ? sql`` : sql`limit ${cap}`;
  const { rows } = await sql<{ n: number }>`
    select count(*) as n from (select 1 from requests where txid >= ${wm(watermark)} ${upper} ${limit}) t`.execute(
    db,
  );
  return Number(rows[0]?.n ?? 0);
}

const upsertTarget = (source: RollupSource) => sql`insert into ${sql.table(source.table)}
  (user_id, granularity, bucket_start, ${dimList(source)}, ${MEASURE_COLUMN_LIST}, updated_at)`;
const onConflict = (
  source: RollupSource,
) => sql`on conflict (user_id, granularity, bucket_start, ${dimList(source)})
  do update set ${replaceMeasures()}`;

/**
 * Recomputes the hourly buckets holding a row inserted in [previous, next) (watermarks), then
 * the days holding those hours from the hours, in every rollup table. A bucket is recomputed
 * from all of its rows below `next`, so the rollups hold exactly the rows below the watermark:
 * readers add the rows at or past it, never one twice. Returns the hourly buckets written (of
 * the main table).
 */
export async function rollupSince(trx: Kysely<Database>, previous: number, next: number): Promise<number> {
  let written = 0;
  for (const source of ROLLUP_SOURCES) {
    const buckets = await rollupSourceSince(trx, source, previous, next);
    if (source === MAIN_ROLLUP) written = buckets;
  }
  return written;
}

async function rollupSourceSince(
  trx: Kysely<Database>,
  source: RollupSource,
  previous: number,
  next: number,
): Promise<number> {
  const hour = utcTrunc("hour", sql`created_at`);
  const inserted = sql`txid >= ${wm(previous)} and txid < ${wm(next)}`;
  const exprs = sql.join(source.exprs);
  // LATERAL with its own GROUP BY: one index range scan on (user_id, created_at) per touched
  // hour. As a plain join the planner may hash-join a scan of the whole table instead.
  const hourly = await sql`${upsertTarget(source)}
    select a.user_id, 'hour', a.h, x.*, now()
    from (select distinct user_id, ${hour} as h from requests where ${inserted}) a
    cross join lateral (
      select ${exprs}, ${rawMeasures()}
      from ${source.from}
      where r.user_id = a.user_id and r.created_at >= a.h and r.created_at < a.h + ${HOUR}
        and r.txid < ${wm(next)}
      group by ${exprs}
    ) x
    ${onConflict(source)}`.execute(trx);
  const day = utcTrunc("day", sql`created_at`);
  await sql`${upsertTarget(source)}
    select a.user_id, 'day', a.d, x.*, now()
    from (select distinct user_id, ${day} as d from requests where ${inserted}) a
    cross join lateral (
      select ${dimList(source, "u")}, ${summedMeasures()}
      from ${sql.table(source.table)} u
      where u.user_id = a.user_id and u.granularity = 'hour' and u.bucket_start >= a.d and u.bucket_start < a.d + ${DAY}
      group by ${dimList(source, "u")}
    ) x
    ${onConflict(source)}`.execute(trx);
  return Number(hourly.numAffectedRows ?? 0n);
}

/**
 * Drops and recomputes every bucket from `from` (a UTC day start) on, or all of them, from the
 * rows below the watermark `next`: the backfill. One pass over the rows per rollup table,
 * grouped straight into hours, days from hours. Returns the hourly buckets of the main table.
 */
export async function rebuildRollups(
  trx: Kysely<Database>,
  from: Date | null,
  next: number,
): Promise<number> {
  // The planner cannot know there are few (user, hour, model) groups and would sort millions
  // of rows, or hash them in 4 MB and spill: one big in-memory hash pass is far faster.
  await sql`set local work_mem = '256MB'`.execute(trx);
  await sql`set local enable_sort = off`.execute(trx);
  let written = 0;
  for (const source of ROLLUP_SOURCES) {
    const buckets = await rebuildSource(trx, source, from, next);
    if (source === MAIN_ROLLUP) written = buckets;
  }
  await sql`reset enable_sort`.execute(trx);
  await sql`reset work_mem`.execute(trx);
  // Fresh statistics, so readers' plans know how many buckets there are.
  for (const source of ROLLUP_SOURCES) await sql`analyze ${sql.table(source.table)}`.execute(trx);
  return written;
}

async function rebuildSource(
  trx: Kysely<Database>,
  source: RollupSource,
  from: Date | null,
  next: number,
): Promise<number> {
  const table = sql.table(source.table);
  const since = from ? sql`and r.created_at >= ${from}` : sql``;
  if (from) await sql`delete from ${table} where bucket_start >= ${from}`.execute(trx);
  else await sql`delete from ${table}`.execute(trx);
  const hour = utcTrunc("hour", sql`r.created_at`);
  const exprs = sql.join(source.exprs);
  const hourly = await sql`${upsertTarget(source)}
    select r.user_id, 'hour', ${hour}, ${exprs}, ${rawMeasures()}, now()
    from ${source.from} where r.txid < ${wm(next)} ${since}
    group by r.user_id, ${hour}, ${exprs}
    ${onConflict(source)}`.execute(trx);
  const dayOfBucket = utcTrunc("day", sql`u.bucket_start`);
  const hoursSince = from ? sql`and u.bucket_start >= ${from}` : sql``;
  await sql`${upsertTarget(source)}
    select u.user_id, 'day', ${dayOfBucket}, ${dimList(source, "u")}, ${summedMeasures()}, now()
    from ${table} u where u.granularity = 'hour' ${hoursSince}
    group by u.user_id, ${dayOfBucket}, ${dimList(source, "u")}
    ${onConflict(source)}`.execute(trx);
  return Number(hourly.numAffectedRows ?? 0n);
}

/** Request rows the hourly rollups hold from `from` on (all when null). */
export async function rolledUpRows(db: Kysely<Database>, from: Date | null): Promise<number> {
  const since = from ? sql`and bucket_start >= ${from}` : sql``;
  const { rows } = await sql<{ n: number }>`
    select coalesce(sum(requests), 0)::bigint as n from usage_rollups where granularity = 'hour' ${since}`.execute(
    db,
  );
  return Number(rows[0]?.n ?? 0);
}

export interface RollupRunRecord {
  watermark: number;
  startedAt: Date;
  durationMs: number;
  rows: number;
  buckets: number;
}

export async function recordRollupSuccess(trx: Kysely<Database>, run: RollupRunRecord): Promise<void> {
  const values = {
    watermark: run.watermark,
    last_started_at: run.startedAt,
    last_success_at: new Date(),
    last_duration_ms: Math.round(run.durationMs),
    last_rows: run.rows,
    last_buckets: run.buckets,
    last_error: null,
    last_error_at: null,
  };
  await trx
    .insertInto("usage_rollup_state")
    .values({ id: ROLLUP_STREAM, ...values })
    .onConflict((oc) => oc.column("id").doUpdateSet(values))
    .execute();
}

/** Written outside the failed run's transaction, which rolled back with everything it did. */
export async function recordRollupFailure(db: Kysely<Database>, message: string): Promise<void> {
  const values = { last_error: message.slice(0, 1000), last_error_at: new Date() };
  await db
    .insertInto("usage_rollup_state")
    .values({ id: ROLLUP_STREAM, watermark: 0, ...values })
    .onConflict((oc) => oc.column("id").doUpdateSet(values))
    .execute();
}
