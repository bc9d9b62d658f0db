import { type Kysely, sql } from "kysely";

/**
 * Named routes (called as model `route/NAME`) and attempts. A route belongs to its user and is
 * found by name; its targets and fallbacks are stored as the user wrote them (model names), so a
 * catalog change is applied when the route is called, not frozen here.
 *
 * A call that falls back makes one row per attempt: `attempt` numbers them from 1 and
 * `request_id` names the call they belong to (the id the caller got back). A call with one
 * attempt keeps `request_id` null, so the plain path writes exactly what it wrote before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("model_routes")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("strategy", "text", (c) =>
      c.notNull().check(sql`strategy in ('weighted', 'ordered', 'cheapest', 'fastest')`),
    )
    .addColumn("targets", "jsonb", (c) => c.notNull())
    .addColumn("fallbacks", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("retry_on", "jsonb", (c) => c.notNull())
    .addColumn("cache_ttl_s", "integer")
    .addColumn("cache_all", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("model_routes_pkey", ["user_id", "name"])
    .execute();
  await db.schema
    .alterTable("requests")
    .addColumn("attempt", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable("requests").addColumn("request_id", "text").execute();
  await sql`create index requests_request_id_idx on requests (request_id) where request_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists requests_request_id_idx`.execute(db);
  await db.schema.alterTable("requests").dropColumn("request_id").execute();
  await db.schema.alterTable("requests").dropColumn("attempt").execute();
  await db.schema.dropTable("model_routes").ifExists().execute();
}
