import { type Kysely, sql } from "kysely";
import type { BudgetPeriod, Database } from "../types";
import { type LevelSpendScope, whereLevel } from "./budget-levels";
import type { SpendBucket } from "./budgets";

/** Recorded spend of one level per UTC day in [from, to), only the days that have rows. */
export async function levelSpendBuckets(
  db: Kysely<Database>,
  level: LevelSpendScope,
  from: Date,
  to: Date,
): Promise<SpendBucket[]> {
  // As in spendBuckets: truncated in UTC, a literal so GROUP BY matches the select.
  const bucket = sql<Date>`(date_trunc('day', created_at at time zone 'UTC') at time zone 'UTC')`;
  const query = whereLevel(
    db
      .selectFrom("requests")
      .select([
        bucket.as("bucket"),
        (eb) => eb.fn.coalesce(eb.fn.sum<string>("total_cost"), eb.val("0")).as("spent"),
        (eb) => eb.fn.countAll<number>().as("requests"),
      ])
      .where("created_at", ">=", from)
      .where("created_at", "<", to),
    level,
  );
  const rows = await query.groupBy(bucket).orderBy(bucket).execute();
  return rows.map((r) => ({
    bucket: new Date(r.bucket),
    spent: String(r.spent),
    requests: Number(r.requests),
  }));
}

export interface TeamWithSpend {
  id: string;
  monthly_budget_usd: string;
  thresholds: number[];
  webhook_url: string | null;
  created_at: Date;
  spent: string;
}

/** Spend since `from` per team or per key, as a subquery `s(owner, spent)` to join on. */
function spendSinceBy(db: Kysely<Database>, column: "team_id" | "api_key_id", from: Date) {
  return db
    .selectFrom("requests")
    .select([
      sql<string>`${sql.ref(column)}`.as("owner"),
      (eb) => eb.fn.sum<string>("total_cost").as("spent"),
    ])
    .where("created_at", ">=", from)
    .where(column, "is not", null)
    .groupBy(column)
    .as("s");
}

/**
 * Teams with a monthly budget and spend since `from`, most spent first, at most `limit`: the
 * reconciliation's work for teams is bounded by the teams that spent this month.
 */
export async function budgetedTeamsWithSpendSince(
  db: Kysely<Database>,
  from: Date,
  limit: number,
): Promise<TeamWithSpend[]> {
  const rows = await db
    .selectFrom("teams")
    .innerJoin(spendSinceBy(db, "team_id", from), "s.owner", "teams.id")
    .select([
      "teams.id",
      "teams.monthly_budget_usd",
      "teams.thresholds",
      "teams.webhook_url",
      "teams.created_at",
      "s.spent",
    ])
    .where("teams.monthly_budget_usd", "is not", null)
    .orderBy("s.spent", "desc")
    .orderBy("teams.id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    monthly_budget_usd: String(r.monthly_budget_usd),
    spent: String(r.spent),
  }));
}

export interface KeyWithSpend {
  id: string;
  user_id: string;
  budget_usd: string;
  budget_period: BudgetPeriod;
  created_at: Date;
}

/** Unrevoked keys with a budget and spend since `from`, most spent first, at most `limit`. */
export async function budgetedKeysWithSpendSince(
  db: Kysely<Database>,
  from: Date,
  limit: number,
): Promise<KeyWithSpend[]> {
  const rows = await db
    .selectFrom("api_keys")
    .innerJoin(spendSinceBy(db, "api_key_id", from), "s.owner", "api_keys.id")
    .select([
      "api_keys.id",
      "api_keys.user_id",
      "api_keys.budget_usd",
      "api_keys.budget_period",
      "api_keys.created_at",
    ])
    .where("api_keys.budget_usd", "is not", null)
    .where("api_keys.budget_period", "is not", null)
    .where("api_keys.revoked_at", "is", null)
    .orderBy("s.spent", "desc")
    .orderBy("api_keys.id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    budget_usd: String(r.budget_usd),
    budget_period: r.budget_period as BudgetPeriod,
  }));
}

export interface TagBudgetWithSpend {
  user_id: string;
  tag: string;
  monthly_budget_usd: string;
  user_created_at: Date;
  spent: string;
}

/** Tag budgets whose tag was spent on since `from` (by the budget's user), most spent first. */
export async function tagBudgetsWithSpendSince(
  db: Kysely<Database>,
  from: Date,
  limit: number,
): Promise<TagBudgetWithSpend[]> {
  const rows = await db
    .selectFrom("tag_budgets as tb")
    .innerJoin("users as u", "u.id", "tb.user_id")
    .innerJoin("requests as r", (join) =>
      join
        .onRef("r.user_id", "=", "tb.user_id")
        .on(sql<boolean>`r.tags @> array[tb.tag]::text[]`)
        .on("r.created_at", ">=", from),
    )
    .select([
      "tb.user_id",
      "tb.tag",
      "tb.monthly_budget_usd",
      "u.created_at as user_created_at",
      (eb) => eb.fn.sum<string>("r.total_cost").as("spent"),
    ])
    .groupBy(["tb.user_id", "tb.tag", "tb.monthly_budget_usd", "u.created_at"])
    .orderBy("spent", "desc")
    .orderBy("tb.user_id")
    .orderBy("tb.tag")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    monthly_budget_usd: String(r.monthly_budget_usd),
    spent: String(r.spent),
  }));
}
