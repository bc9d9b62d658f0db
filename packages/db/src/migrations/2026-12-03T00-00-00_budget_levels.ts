import { type Kysely, sql } from "kysely";

/**
 * The budget levels besides the user's: a key's own budget (per UTC day, month or in total)
 * and its cap on calls in flight, a user's monthly budget per tag, and the team a call counted
 * for, recorded on its row.
 *
 * `requests.team_id` is the team at call time, not looked up through the key later: a key moved
 * out of a team (its user removed) must not take its past spend out of the team's books. It has
 * no foreign key for the same reason: the row is history. The team's counter is seeded from
 * these rows, so they are read by team and time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("api_keys")
    .addColumn("budget_usd", "numeric", (c) => c.check(sql`budget_usd >= 0`))
    .execute();
  await db.schema
    .alterTable("api_keys")
    .addColumn("budget_period", "text", (c) => c.check(sql`budget_period in ('day', 'month', 'total')`))
    .execute();
  await db.schema
    .alterTable("api_keys")
    .addColumn("max_parallel", "integer", (c) => c.check(sql`max_parallel > 0`))
    .execute();

  await db.schema.alterTable("requests").addColumn("team_id", "text").execute();
  await sql`create index requests_team_idx on requests (team_id, created_at)
    where team_id is not null`.execute(db);
  // A key's budget is seeded from its rows since the period began.
  await sql`create index if not exists requests_key_time_idx on requests (api_key_id, created_at)
    where api_key_id is not null`.execute(db);

  await db.schema
    .createTable("tag_budgets")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("tag", "text", (c) => c.notNull())
    .addColumn("monthly_budget_usd", "numeric", (c) => c.notNull().check(sql`monthly_budget_usd >= 0`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("tag_budgets_pkey", ["user_id", "tag"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("tag_budgets").ifExists().execute();
  await sql`drop index if exists requests_key_time_idx`.execute(db);
  await sql`drop index if exists requests_team_idx`.execute(db);
  await db.schema.alterTable("requests").dropColumn("team_id").execute();
  await db.schema.alterTable("api_keys").dropColumn("max_parallel").execute();
  await db.schema.alterTable("api_keys").dropColumn("budget_period").execute();
  await db.schema.alterTable("api_keys").dropColumn("budget_usd").execute();
}
