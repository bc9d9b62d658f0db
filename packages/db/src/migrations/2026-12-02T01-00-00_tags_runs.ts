import { type Kysely, sql } from "kysely";

/**
 * Attribution of a call: the tags it carried (`x-llmg-tags` or `metadata.tags`) and the agent
 * run it belongs to (`x-llmg-run-id`, with the envelope `x-llmg-run-budget-usd` it was sent with).
 *
 * `tags` is not null with an empty default, so a filter never has to tell "no tags" from "null";
 * a constant default adds the column without rewriting the table. Tags are read by containment
 * (`tags @> array[...]`), which a GIN index serves. A run is always read for one user, newest or
 * oldest first, so its index leads with user_id and is partial: rows without a run cost nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("requests")
    .addColumn("tags", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .execute();
  await db.schema.alterTable("requests").addColumn("run_id", "text").execute();
  await db.schema
    .alterTable("requests")
    .addColumn("run_budget_usd", "numeric", (c) => c.check(sql`run_budget_usd > 0`))
    .execute();
  await sql`create index requests_tags_idx on requests using gin (tags)`.execute(db);
  await sql`create index requests_user_run_idx on requests (user_id, run_id, created_at, id)
    where run_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists requests_user_run_idx`.execute(db);
  await sql`drop index if exists requests_tags_idx`.execute(db);
  await db.schema.alterTable("requests").dropColumn("run_budget_usd").execute();
  await db.schema.alterTable("requests").dropColumn("run_id").execute();
  await db.schema.alterTable("requests").dropColumn("tags").execute();
}
