import { type Kysely, sql } from "kysely";
import type { Database, TagBudget } from "../types";

/**
 * The budget levels besides the user's, as the limiter counts them: what each has spent since
 * its period began (seeds its counter), and the tag budgets of a user.
 */
export type LevelSpendScope =
  | { scope: "key"; keyId: string }
  | { scope: "team"; teamId: string }
  | { scope: "tag"; userId: string; tag: string }
  | { scope: "run"; userId: string; runId: string };

/** Recorded cost of one level since `from` (null: ever), before `before` if given, as an exact decimal string. */
export async function levelSpendSince(
  db: Kysely<Database>,
  level: LevelSpendScope,
  from: Date | null,
  before?: Date,
): Promise<string> {
  let query = db
    .selectFrom("requests")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("total_cost"), eb.val("0")).as("spent"));
  switch (level.scope) {
    case "key":
      query = query.where("api_key_id", "=", level.keyId);
      break;
    case "team":
      query = query.where("team_id", "=", level.teamId);
      break;
    case "tag":
      query = query
        .where("user_id", "=", level.userId)
        .where("tags", "@>", sql<string[]>`array[${level.tag}]::text[]`);
      break;
    case "run":
      query = query.where("user_id", "=", level.userId).where("run_id", "=", level.runId);
      break;
  }
  if (from) query = query.where("created_at", ">=", from);
  if (before) query = query.where("created_at", "<", before);
  const row = await query.executeTakeFirstOrThrow();
  return String(row.spent);
}

/** A user's tag budgets, by tag. */
export async function listTagBudgets(db: Kysely<Database>, userId: string): Promise<TagBudget[]> {
  return db.selectFrom("tag_budgets").selectAll().where("user_id", "=", userId).orderBy("tag").execute();
}

/** Sets (creates or replaces) the monthly budget of one of a user's tags. */
export async function upsertTagBudget(
  db: Kysely<Database>,
  userId: string,
  tag: string,
  monthlyBudgetUsd: string,
): Promise<TagBudget> {
  return db
    .insertInto("tag_budgets")
    .values({ user_id: userId, tag, monthly_budget_usd: monthlyBudgetUsd })
    .onConflict((oc) =>
      oc
        .columns(["user_id", "tag"])
        .doUpdateSet({ monthly_budget_usd: monthlyBudgetUsd, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Removes a tag's budget; false when it had none. */
export async function deleteTagBudget(db: Kysely<Database>, userId: string, tag: string): Promise<boolean> {
  const result = await db
    .deleteFrom("tag_budgets")
    .where("user_id", "=", userId)
    .where("tag", "=", tag)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
