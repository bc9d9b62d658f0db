import { type Kysely, sql } from "kysely";

/**
 * Rollup dimensions for `group_by=key|team|tag` on the usage summary and charts.
 *
 * `usage_rollups` gains the API key and the team a call counted for ('' = none: primary-key
 * columns cannot be null, and '' is never an id). Tags get their own rollup, one row per
 * user × bucket × provider × model × tag: a call carrying two tags is in both tags' rows, so
 * it cannot share a table whose rows must each count a call once. Untagged calls are rolled up
 * under the tag '' (no tag may be empty), so "untagged" is as cheap to read as any tag.
 *
 * Existing buckets were rolled up without the new dimensions. Rather than recompute them here
 * (a full pass over `requests` inside the deploy), they are dropped and the watermark is reset
 * to 0: readers then read the rows themselves (exact, slower) until the next rollup run, which
 * sees watermark 0 and rebuilds everything in one pass, as a first run does.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`delete from usage_rollups`.execute(db);
  await sql`update usage_rollup_state set watermark = 0`.execute(db);
  await sql`alter table usage_rollups drop constraint usage_rollups_pkey`.execute(db);
  await sql`alter table usage_rollups add column api_key_id text not null default ''`.execute(db);
  await sql`alter table usage_rollups add column team_id text not null default ''`.execute(db);
  await sql`alter table usage_rollups add constraint usage_rollups_pkey
    primary key (user_id, granularity, bucket_start, provider, model, api_key_id, team_id)`.execute(db);

  await db.schema
    .createTable("usage_tag_rollups")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("granularity", "text", (c) => c.notNull().check(sql`granularity in ('hour', 'day')`))
    .addColumn("bucket_start", "timestamptz", (c) => c.notNull())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    // '' = the call carried no tag.
    .addColumn("tag", "text", (c) => c.notNull())
    .addColumn("requests", "bigint", (c) => c.notNull())
    .addColumn("successes", "bigint", (c) => c.notNull())
    .addColumn("errors", "bigint", (c) => c.notNull())
    .addColumn("prompt_tokens", "bigint", (c) => c.notNull())
    .addColumn("completion_tokens", "bigint", (c) => c.notNull())
    .addColumn("cached_tokens", "bigint", (c) => c.notNull())
    .addColumn("cache_write_tokens", "bigint", (c) => c.notNull())
    .addColumn("reasoning_tokens", "bigint", (c) => c.notNull())
    .addColumn("cost", "numeric", (c) => c.notNull())
    .addColumn("latency_sum", "bigint", (c) => c.notNull())
    .addColumn("latency_max", "integer", (c) => c.notNull())
    .addColumn("latency_hist", sql`bigint[]`, (c) => c.notNull())
    .addColumn("ttft_sum", "bigint", (c) => c.notNull())
    .addColumn("ttft_count", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("usage_tag_rollups_pkey", [
      "user_id",
      "granularity",
      "bucket_start",
      "provider",
      "model",
      "tag",
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("usage_tag_rollups").ifExists().execute();
  await sql`delete from usage_rollups`.execute(db);
  await sql`update usage_rollup_state set watermark = 0`.execute(db);
  await sql`alter table usage_rollups drop constraint usage_rollups_pkey`.execute(db);
  await sql`alter table usage_rollups drop column team_id`.execute(db);
  await sql`alter table usage_rollups drop column api_key_id`.execute(db);
  await sql`alter table usage_rollups add constraint usage_rollups_pkey
    primary key (user_id, granularity, bucket_start, provider, model)`.execute(db);
}
