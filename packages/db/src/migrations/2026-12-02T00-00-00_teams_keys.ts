import { type Kysely, sql } from "kysely";

/**
 * Teams and what a key carries. A team holds its budget settings (enforced by a later
 * migration's counters, stored here so the admin and managers can set them now) and its
 * members; a key may name one of its user's teams, and carries its scopes, the models it may
 * call and an expiry.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("teams")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("monthly_budget_usd", "numeric", (c) => c.check(sql`monthly_budget_usd >= 0`))
    // The highest monthly limit a manager may set; only the admin changes it.
    .addColumn("budget_cap_usd", "numeric", (c) => c.check(sql`budget_cap_usd >= 0`))
    .addColumn("thresholds", "jsonb", (c) => c.notNull().defaultTo(sql`'[50, 80, 100]'::jsonb`))
    .addColumn("webhook_url", "text")
    .addColumn("rate_limit_rpm", "integer", (c) => c.check(sql`rate_limit_rpm > 0`))
    .addColumn("rate_limit_tpm", "integer", (c) => c.check(sql`rate_limit_tpm > 0`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("team_members")
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('member', 'manager')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("team_members_pkey", ["team_id", "user_id"])
    .execute();
  // "The caller's teams" looks members up by user.
  await db.schema.createIndex("team_members_user_idx").on("team_members").column("user_id").execute();

  await db.schema
    .alterTable("api_keys")
    .addColumn("team_id", "text", (c) => c.references("teams.id").onDelete("set null"))
    .execute();
  await db.schema
    .alterTable("api_keys")
    .addColumn("scopes", "jsonb", (c) => c.notNull().defaultTo(sql`'["chat", "read", "manage"]'::jsonb`))
    .execute();
  // null = every model.
  await db.schema.alterTable("api_keys").addColumn("allowed_models", "jsonb").execute();
  await db.schema.alterTable("api_keys").addColumn("expires_at", "timestamptz").execute();
  // Clearing a removed member's keys looks them up by team.
  await db.schema
    .createIndex("api_keys_team_idx")
    .on("api_keys")
    .column("team_id")
    .where(sql.ref("team_id"), "is not", null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("api_keys_team_idx").ifExists().execute();
  await db.schema.alterTable("api_keys").dropColumn("expires_at").execute();
  await db.schema.alterTable("api_keys").dropColumn("allowed_models").execute();
  await db.schema.alterTable("api_keys").dropColumn("scopes").execute();
  await db.schema.alterTable("api_keys").dropColumn("team_id").execute();
  await db.schema.dropTable("team_members").ifExists().execute();
  await db.schema.dropTable("teams").ifExists().execute();
}
