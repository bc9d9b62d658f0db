import { type Kysely, sql } from "kysely";

/**
 * Alerts for every budget level, and forecast alerts. An alert now names its level: `scope`
 * (user, key, team, tag, run) and `level_id` (null for the user's own budget; the key's or the
 * team's id, the tag, the run id), and its `kind`: a crossed `threshold`, or `projected_exceed`
 * (the month-end projection first said the limit would be passed). A forecast alert has no
 * threshold: its threshold_percent is 0, which keeps the column NOT NULL for every reader and
 * lets one unique index hold both kinds. Team alerts belong to no user (user_id null): the
 * team's members share them, and one crossing by any member fires them once.
 *
 * The once-only index is an expression index (coalesce): NULLs are distinct in a plain unique
 * index, and "the user level" / "a team" must each count as one value.
 *
 * Teams gain their own sealed webhook signing secret, as users have in `budgets`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("budget_alerts")
    .addColumn("scope", "text", (c) =>
      c.notNull().defaultTo("user").check(sql`scope in ('user', 'key', 'team', 'tag', 'run')`),
    )
    .execute();
  await db.schema.alterTable("budget_alerts").addColumn("level_id", "text").execute();
  await db.schema
    .alterTable("budget_alerts")
    .addColumn("kind", "text", (c) =>
      c.notNull().defaultTo("threshold").check(sql`kind in ('threshold', 'projected_exceed')`),
    )
    .execute();
  // The projection that fired a forecast alert (null for threshold alerts).
  await db.schema.alterTable("budget_alerts").addColumn("projected_usd", "numeric").execute();
  await db.schema
    .alterTable("budget_alerts")
    .alterColumn("user_id", (c) => c.dropNotNull())
    .execute();
  await sql`alter table budget_alerts add constraint budget_alerts_level_check check (
      (scope = 'user') = (level_id is null)
      and (scope = 'team' or user_id is not null)
      and (kind = 'threshold' or threshold_percent = 0))`.execute(db);

  await sql`drop index if exists budget_alerts_once_key`.execute(db);
  await sql`create unique index budget_alerts_once_key on budget_alerts
    (coalesce(user_id, ''), scope, coalesce(level_id, ''), period, kind, threshold_percent)`.execute(db);
  // A level's alerts (team budget route, the reconciliation's catch-up) are read by level.
  await sql`create index budget_alerts_level_idx on budget_alerts (scope, level_id, period)
    where level_id is not null`.execute(db);

  await db.schema.alterTable("teams").addColumn("webhook_secret", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("teams").dropColumn("webhook_secret").execute();
  await sql`drop index if exists budget_alerts_level_idx`.execute(db);
  await sql`drop index if exists budget_alerts_once_key`.execute(db);
  await sql`delete from budget_alerts where scope <> 'user' or kind <> 'threshold'`.execute(db);
  await sql`alter table budget_alerts drop constraint if exists budget_alerts_level_check`.execute(db);
  await db.schema
    .alterTable("budget_alerts")
    .alterColumn("user_id", (c) => c.setNotNull())
    .execute();
  await db.schema.alterTable("budget_alerts").dropColumn("projected_usd").execute();
  await db.schema.alterTable("budget_alerts").dropColumn("kind").execute();
  await db.schema.alterTable("budget_alerts").dropColumn("level_id").execute();
  await db.schema.alterTable("budget_alerts").dropColumn("scope").execute();
  await db.schema
    .createIndex("budget_alerts_once_key")
    .on("budget_alerts")
    .columns(["user_id", "period", "threshold_percent"])
    .unique()
    .execute();
}
