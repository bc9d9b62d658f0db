import { CompiledQuery, type Kysely } from "kysely";
import type { Database, NewRequestRow, RequestRow } from "../types";

/** Every column a chat call's usage row sets; the database fills the rest (created_at, txid). */
export const USAGE_ROW_COLUMNS = [
  "id",
  "user_id",
  "api_key_id",
  "credential_id",
  "provider",
  "model",
  "endpoint",
  "stream",
  "status",
  "http_status",
  "error_code",
  "error_message",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "usage_estimated",
  "prompt_cost",
  "completion_cost",
  "total_cost",
  "latency_ms",
  "ttft_ms",
  "ip",
  "user_agent",
  "metadata",
  "request_body",
  "response_body",
  "tags",
  "run_id",
  "run_budget_usd",
  "team_id",
  "attempt",
  "request_id",
  "cache_hit",
  "saved_usd",
] as const satisfies readonly (keyof NewRequestRow)[];

export type UsageRowValues = {
  [K in (typeof USAGE_ROW_COLUMNS)[number]]-?: Exclude<NewRequestRow[K], undefined>;
};

const INSERT_PREFIX = `insert into requests (${USAGE_ROW_COLUMNS.join(", ")}) values `;

// Asynchronous commit for this statement's transaction only: set_config(..., true) lasts until
// the implicit transaction ends, and the commit reads synchronous_commit when it happens.
const ASYNC_COMMIT = " returning set_config('synchronous_commit', 'off', true)";

/**
 * The chat hot path's insert: complete rows, SQL text built directly rather than through the
 * query builder (which would rebuild and recompile the same statement on every call).
 * `waitForFlush: false` commits without waiting for the WAL to reach the disk (see
 * LLMG_USAGE_COMMIT).
 */
export async function insertUsageRows(
  db: Kysely<Database>,
  rows: UsageRowValues[],
  options: { waitForFlush?: boolean } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const placeholders = USAGE_ROW_COLUMNS.map((column) => {
      params.push(row[column]);
      return `$${params.length}`;
    });
    return `(${placeholders.join(", ")})`;
  });
  const suffix = options.waitForFlush === false ? ASYNC_COMMIT : "";
  await db.executeQuery(CompiledQuery.raw(INSERT_PREFIX + tuples.join(", ") + suffix, params));
}

/** Inserts many usage rows in one statement (one round trip, one commit). */
export async function insertRequests(db: Kysely<Database>, rows: NewRequestRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto("requests").values(rows).execute();
}

export async function findRequest(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<RequestRow | undefined> {
  return db
    .selectFrom("requests")
    .selectAll()
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** The attempts of a call that fell back (rows naming it as their request_id), in order. */
export function listAttempts(db: Kysely<Database>, userId: string, requestId: string): Promise<RequestRow[]> {
  return db
    .selectFrom("requests")
    .selectAll()
    .where("request_id", "=", requestId)
    .where("user_id", "=", userId)
    .orderBy("attempt")
    .execute();
}

/**
 * The user's recorded cost since `from`, all of it and the part recorded before `before`, as
 * exact decimal strings (one scan).
 */
export async function spendSplitSince(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  before: Date,
): Promise<{ all: string; before: string }> {
  const row = await db
    .selectFrom("requests")
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<string>("total_cost"), eb.val("0")).as("all"),
      eb.fn
        .coalesce(eb.fn.sum<string>("total_cost").filterWhere("created_at", "<", before), eb.val("0"))
        .as("before"),
    ])
    .where("user_id", "=", userId)
    .where("created_at", ">=", from)
    .executeTakeFirstOrThrow();
  return { all: String(row.all), before: String(row.before) };
}

/** Sum of the user's recorded cost since `from`, as an exact decimal string. */
export async function spendSince(db: Kysely<Database>, userId: string, from: Date): Promise<string> {
  const row = await db
    .selectFrom("requests")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("total_cost"), eb.val("0")).as("spent"))
    .where("user_id", "=", userId)
    .where("created_at", ">=", from)
    .executeTakeFirstOrThrow();
  return String(row.spent);
}
