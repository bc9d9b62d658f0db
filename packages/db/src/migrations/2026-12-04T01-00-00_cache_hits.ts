import { type Kysely, sql } from "kysely";

/**
 * Response cache hits. A hit is a row like any call's, at $0: `cache_hit` marks it and
 * `saved_usd` holds what the call would have cost (null on every other row). The rollups gain
 * the count of hits and the sum saved. Rows written before this migration hold no hit, so the
 * existing buckets are exact with 0 and 0: no rebuild is needed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("requests")
    .addColumn("cache_hit", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.alterTable("requests").addColumn("saved_usd", "numeric").execute();
  for (const table of ["usage_rollups", "usage_tag_rollups"]) {
    await db.schema
      .alterTable(table)
      .addColumn("cache_hits", "bigint", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable(table)
      .addColumn("saved", "numeric", (c) => c.notNull().defaultTo(sql`0`))
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["usage_rollups", "usage_tag_rollups"]) {
    await db.schema.alterTable(table).dropColumn("saved").execute();
    await db.schema.alterTable(table).dropColumn("cache_hits").execute();
  }
  await db.schema.alterTable("requests").dropColumn("saved_usd").execute();
  await db.schema.alterTable("requests").dropColumn("cache_hit").execute();
}
