import { type Kysely, sql } from "kysely";

/**
 * Admin controls over a user: `disabled` refuses every key of the user (403 account_disabled)
 * without revoking them, so enabling the account again restores them; `budget_cap_usd` is the
 * most a user may set as their own monthly limit (null = no cap).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("disabled", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .alterTable("users")
    .addColumn("budget_cap_usd", "numeric", (c) => c.check(sql`budget_cap_usd >= 0`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("budget_cap_usd").execute();
  await db.schema.alterTable("users").dropColumn("disabled").execute();
}
