import { type Kysely, sql } from "kysely";

/**
 * Budgets: the limit itself stays in users.monthly_budget_usd (admin-created users keep working);
 * `budgets` holds the rest of the settings, `budget_changes` the history of the limit, and
 * `budget_alerts` each threshold fired once per period plus its webhook delivery state.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("budgets")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("mode", "text", (c) => c.notNull().defaultTo("hard").check(sql`mode in ('hard', 'soft')`))
    .addColumn("thresholds", "jsonb", (c) => c.notNull().defaultTo(sql`'[50, 80, 100]'::jsonb`))
    .addColumn("webhook_url", "text")
    // Sealed (AES-GCM) HMAC signing secret; the server and the worker must be able to sign.
    .addColumn("webhook_secret", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("budget_changes")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("limit_usd", "numeric")
    .addColumn("previous_limit_usd", "numeric")
    .addColumn("changed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("budget_changes_user_changed_idx")
    .on("budget_changes")
    .columns(["user_id", "changed_at"])
    .execute();

  // A trigger rather than application code: the limit is also written by the admin API and the
  // CLI, and the history must say which limit applied whoever changed it.
  await sql`
    create function llmg_record_budget_change() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into budget_changes (user_id, limit_usd, previous_limit_usd, changed_at)
        values (new.id, new.monthly_budget_usd, null, new.created_at);
      elsif new.monthly_budget_usd is distinct from old.monthly_budget_usd then
        insert into budget_changes (user_id, limit_usd, previous_limit_usd, changed_at)
        values (new.id, new.monthly_budget_usd, old.monthly_budget_usd, now());
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`
    create trigger users_budget_change after insert or update of monthly_budget_usd on users
    for each row execute function llmg_record_budget_change()`.execute(db);
  await sql`
    insert into budget_changes (user_id, limit_usd, previous_limit_usd, changed_at)
    select id, monthly_budget_usd, null, created_at from users`.execute(db);

  await db.schema
    .createTable("budget_alerts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    // Calendar month in UTC, "2026-11".
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("threshold_percent", "integer", (c) => c.notNull())
    .addColumn("limit_usd", "numeric", (c) => c.notNull())
    .addColumn("spent_usd", "numeric", (c) => c.notNull())
    .addColumn("mode", "text", (c) => c.notNull())
    .addColumn("webhook_url", "text")
    // none | pending | delivered | failed
    .addColumn("webhook_status", "text", (c) => c.notNull())
    .addColumn("webhook_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("webhook_next_attempt_at", "timestamptz")
    .addColumn("webhook_last_status", "integer")
    .addColumn("webhook_last_error", "text")
    .addColumn("webhook_delivered_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The "exactly one alert per threshold per period" guarantee, whatever races above it.
  await db.schema
    .createIndex("budget_alerts_once_key")
    .on("budget_alerts")
    .columns(["user_id", "period", "threshold_percent"])
    .unique()
    .execute();
  // The delivery job only ever looks for due pending webhooks.
  await db.schema
    .createIndex("budget_alerts_due_idx")
    .on("budget_alerts")
    .column("webhook_next_attempt_at")
    .where(sql.ref("webhook_status"), "=", "pending")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("budget_alerts").ifExists().execute();
  await sql`drop trigger if exists users_budget_change on users`.execute(db);
  await sql`drop function if exists llmg_record_budget_change()`.execute(db);
  await db.schema.dropTable("budget_changes").ifExists().execute();
  await db.schema.dropTable("budgets").ifExists().execute();
}
