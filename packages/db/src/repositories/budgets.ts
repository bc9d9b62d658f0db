import { type Kysely, sql } from "kysely";
import type { BudgetChange, Database } from "../types";

/** Everything the limiter and the budget endpoints need about one user, in one query. */
export interface BudgetSettingsRow {
  user_id: string;
  monthly_budget_usd: string | null;
  /** The admin's cap on the limit (null = none); while set, the budget is enforced as hard. */
  budget_cap_usd: string | null;
  rate_limit_rpm: number | null;
  rate_limit_tpm: number | null;
  user_created_at: Date;
  mode: "hard" | "soft" | null;
  thresholds: number[] | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  counter_home: string | null;
}

export async function findBudgetSettings(
  db: Kysely<Database>,
  userId: string,
): Promise<BudgetSettingsRow | undefined> {
  return db
    .selectFrom("users")
    .leftJoin("budgets", "budgets.user_id", "users.id")
    .select([
      "users.id as user_id",
      "users.monthly_budget_usd",
      "users.budget_cap_usd",
      "users.rate_limit_rpm",
      "users.rate_limit_tpm",
      "users.created_at as user_created_at",
      "users.counter_home",
      "budgets.mode",
      "budgets.thresholds",
      "budgets.webhook_url",
      "budgets.webhook_secret",
    ])
    .where("users.id", "=", userId)
    .executeTakeFirst();
}

export interface BudgetPatch {
  mode?: "hard" | "soft";
  thresholds?: number[];
  webhookUrl?: string | null;
  webhookSecret?: string | null;
}

/** Creates or updates the user's budget row with the fields given; the limit is set apart. */
export async function upsertBudget(db: Kysely<Database>, userId: string, patch: BudgetPatch): Promise<void> {
  const values = {
    ...(patch.mode !== undefined ? { mode: patch.mode } : {}),
    ...(patch.thresholds !== undefined ? { thresholds: JSON.stringify(patch.thresholds) } : {}),
    ...(patch.webhookUrl !== undefined ? { webhook_url: patch.webhookUrl } : {}),
    ...(patch.webhookSecret !== undefined ? { webhook_secret: patch.webhookSecret } : {}),
  };
  await db
    .insertInto("budgets")
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ ...values, updated_at: sql`now()` }))
    .execute();
}

/** Sets the monthly limit (null = unlimited); the users trigger records the change. */
export async function setMonthlyLimit(
  db: Kysely<Database>,
  userId: string,
  limitUsd: string | null,
): Promise<void> {
  await db
    .updateTable("users")
    .set({ monthly_budget_usd: limitUsd, updated_at: sql`now()` })
    .where("id", "=", userId)
    .execute();
}

/** The user's limit changes, oldest first. */
export async function listBudgetChanges(db: Kysely<Database>, userId: string): Promise<BudgetChange[]> {
  return db
    .selectFrom("budget_changes")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("changed_at", "asc")
    .orderBy("id", "asc")
    .execute();
}

export interface SpendBucket {
  /** Start of the UTC day or month. */
  bucket: Date;
  spent: string;
  requests: number;
}

/** Recorded spend per UTC day or month in [from, to), only the buckets that have rows. */
export async function spendBuckets(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  to: Date,
  granularity: "day" | "month",
): Promise<SpendBucket[]> {
  // Truncated in UTC whatever the session time zone, then read back as a UTC instant. A literal,
  // not a parameter, so the GROUP BY expression is the very same as the selected one.
  const bucket = sql<Date>`(date_trunc(${sql.lit(granularity)}, created_at at time zone 'UTC') at time zone 'UTC')`;
  const rows = await db
    .selectFrom("requests")
    .select([
      bucket.as("bucket"),
      (eb) => eb.fn.coalesce(eb.fn.sum<string>("total_cost"), eb.val("0")).as("spent"),
      (eb) => eb.fn.countAll<number>().as("requests"),
    ])
    .where("user_id", "=", userId)
    .where("created_at", ">=", from)
    .where("created_at", "<", to)
    .groupBy(bucket)
    .orderBy(bucket)
    .execute();
  return rows.map((r) => ({
    bucket: new Date(r.bucket),
    spent: String(r.spent),
    requests: Number(r.requests),
  }));
}

/** Recorded spend in [from, to) as an exact decimal string. */
export async function spendBetween(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  to: Date,
): Promise<string> {
  const row = await db
    .selectFrom("requests")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("total_cost"), eb.val("0")).as("spent"))
    .where("user_id", "=", userId)
    .where("created_at", ">=", from)
    .where("created_at", "<", to)
    .executeTakeFirstOrThrow();
  return String(row.spent);
}

export interface UserSpend {
  user_id: string;
  spent: string;
}

/** Spend since `from` for every user that has any, for the reconciliation job. */
export async function spendByUserSince(db: Kysely<Database>, from: Date): Promise<UserSpend[]> {
  const rows = await db
    .selectFrom("requests")
    .select(["user_id", (eb) => eb.fn.sum<string>("total_cost").as("spent")])
    .where("created_at", ">=", from)
    .groupBy("user_id")
    .execute();
  return rows.map((r) => ({ user_id: r.user_id, spent: String(r.spent ?? "0") }));
}
