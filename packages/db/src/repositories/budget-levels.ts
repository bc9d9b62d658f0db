import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
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

/** Narrows a query over `requests` to the rows of one level. */
export function whereLevel<Q extends SelectQueryBuilder<Database, "requests", object>>(
  query: Q,
  level: LevelSpendScope,
): Q {
  switch (level.scope) {
    case "key":
      return query.where("api_key_id", "=", level.keyId) as Q;
    case "team":
      return query.where("team_id", "=", level.teamId) as Q;
    case "tag":
      return query
        .where("user_id", "=", level.userId)
        .where("tags", "@>", sql<string[]>`array[${level.tag}]::text[]`) as Q;
    case "run":
      return query.where("user_id", "=", level.userId).where("run_id", "=", level.runId) as Q;
  }
}

/** Recorded cost of one level since `from` (null: ever), before `before` if given, as an exact decimal string. */
export async function levelSpendSince(
  db: Kysely<Database>,
  level: LevelSpendScope,
  from: Date | null,
  before?: Date,
): Promise<string> {
  let query = whereLevel(
    db
      .selectFrom("requests")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("total_cost"), eb.val("0")).as("spent")),
    level,
  );
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

/**
 * Recorded cost per tag of a user since `from`, for the given tags, as exact decimal strings;
 * a tag with no calls is absent. A call's tags are distinct, so each call counts once per tag.
 */
export async function tagSpendsSince(
  db: Kysely<Database>,
  userId: string,
  tags: readonly string[],
  from: Date,
): Promise<Map<string, string>> {
  if (tags.length === 0) return new Map();
  const list = sql<string[]>`array[${sql.join(tags)}]::text[]`;
  const { rows } = await sql<{ tag: string; spent: string }>`
    select t.tag, sum(r.total_cost)::text as spent
    from requests r cross join lateral unnest(r.tags) as t(tag)
    where r.user_id = ${userId} and r.created_at >= ${from} and r.tags && ${list} and t.tag = any(${list})
    group by t.tag`.execute(db);
  return new Map(rows.map((r) => [r.tag, String(r.spent)]));
}

/** How many tag budgets a user has. */
export async function countTagBudgets(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom("tag_budgets")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Serialises the changes of one user's tag budgets until the transaction ends, so two at once
 * cannot both pass the bound on their number. NO KEY UPDATE leaves the user's row readable and
 * its foreign keys usable; false when there is no such user.
 */
export async function holdUserTagBudgets(db: Kysely<Database>, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("id", "=", userId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** One tag budget of a user. */
export async function findTagBudget(
  db: Kysely<Database>,
  userId: string,
  tag: string,
): Promise<TagBudget | undefined> {
  return db
    .selectFrom("tag_budgets")
    .selectAll()
    .where("user_id", "=", userId)
    .where("tag", "=", tag)
    .executeTakeFirst();
}
