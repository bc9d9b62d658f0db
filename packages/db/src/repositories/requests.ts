import type { Kysely } from "kysely";
import type { Database, NewRequestRow, RequestRow } from "../types";

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
