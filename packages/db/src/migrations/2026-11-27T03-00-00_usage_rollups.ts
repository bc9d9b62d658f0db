import { type Kysely, sql } from "kysely";

/**
 * Usage rollups and the indexes the analytics endpoints read through.
 *
 * Watermark: every request row records the id of the transaction that inserted it
 * (`txid xid8`, filled by a column default, so no writer has to know). A rollup run reads
 * `pg_snapshot_xmin(pg_current_snapshot())` first: every transaction below it has finished, so
 * every row with `txid` below it is visible and can be rolled up for good, while rows at or
 * above it are simply recomputed again by the next run. A row whose transaction commits late
 * (or whose created_at lies far in the past) is never skipped, which a watermark on created_at
 * or on a serial column could not promise: serial values are handed out before commit, in
 * another order than commits happen.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Existing rows get the migrating transaction's id: below any later watermark, and the
  // first run rolls up everything anyway.
  await sql`alter table requests add column txid xid8 not null default pg_current_xact_id()`.execute(db);
  await db.schema.createIndex("requests_txid_idx").on("requests").column("txid").execute();

  // History sorts: each is read per user through its own index, so a page is a bounded index
  // range and a deep page number skips index entries only (see usage-history.ts). created_at
  // already has requests_user_created_idx. A btree runs both ways, so asc and desc share one.
  await db.schema
    .createIndex("requests_user_cost_idx")
    .on("requests")
    .columns(["user_id", "total_cost", "id"])
    .execute();
  await db.schema
    .createIndex("requests_user_latency_idx")
    .on("requests")
    .columns(["user_id", "latency_ms", "id"])
    .execute();
  // The summed columns are included so the expression index can serve index-only scans.
  await sql`create index requests_user_tokens_idx on requests (user_id, (prompt_tokens + completion_tokens), id)
    include (prompt_tokens, completion_tokens)`.execute(db);

  await db.schema
    .createTable("usage_rollups")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    // 'hour' or 'day'; days are summed from hours, so both always agree.
    .addColumn("granularity", "text", (c) => c.notNull().check(sql`granularity in ('hour', 'day')`))
    // Start of the UTC hour or day.
    .addColumn("bucket_start", "timestamptz", (c) => c.notNull())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("requests", "bigint", (c) => c.notNull())
    .addColumn("successes", "bigint", (c) => c.notNull())
    .addColumn("errors", "bigint", (c) => c.notNull())
    .addColumn("prompt_tokens", "bigint", (c) => c.notNull())
    .addColumn("completion_tokens", "bigint", (c) => c.notNull())
    .addColumn("cached_tokens", "bigint", (c) => c.notNull())
    .addColumn("cache_write_tokens", "bigint", (c) => c.notNull())
    .addColumn("reasoning_tokens", "bigint", (c) => c.notNull())
    .addColumn("cost", "numeric", (c) => c.notNull())
    // Latency of successful calls only (failures often fail fast and would flatter the figures).
    .addColumn("latency_sum", "bigint", (c) => c.notNull())
    .addColumn("latency_max", "integer", (c) => c.notNull())
    // Counts per fixed latency bucket (bounds in analytics/histogram.ts and usage-measures.ts).
    .addColumn("latency_hist", sql`bigint[]`, (c) => c.notNull())
    // Time to first token of successful streamed calls.
    .addColumn("ttft_sum", "bigint", (c) => c.notNull())
    .addColumn("ttft_count", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("usage_rollups_pkey", [
      "user_id",
      "granularity",
      "bucket_start",
      "provider",
      "model",
    ])
    .execute();

  // One row per rollup stream ('usage'): the watermark and what /readyz reports as lag.
  await db.schema
    .createTable("usage_rollup_state")
    .addColumn("id", "text", (c) => c.primaryKey())
    // A transaction id (xid8 as a number): rows with txid below it are in the rollups.
    .addColumn("watermark", "bigint", (c) => c.notNull())
    .addColumn("last_started_at", "timestamptz")
    .addColumn("last_success_at", "timestamptz")
    .addColumn("last_duration_ms", "integer")
    .addColumn("last_rows", "bigint")
    .addColumn("last_buckets", "bigint")
    .addColumn("last_error", "text")
    .addColumn("last_error_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("usage_rollup_state").ifExists().execute();
  await db.schema.dropTable("usage_rollups").ifExists().execute();
  for (const index of [
    "requests_user_tokens_idx",
    "requests_user_latency_idx",
    "requests_user_cost_idx",
    "requests_txid_idx",
  ]) {
    await db.schema.dropIndex(index).ifExists().execute();
  }
  await sql`alter table requests drop column if exists txid`.execute(db);
}
