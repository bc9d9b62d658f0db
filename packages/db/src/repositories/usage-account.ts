import type { Kysely } from "kysely";
import type { Database } from "../types";

/** Keys the user can still call with (revoked ones are history, not part of the account). */
export async function countActiveKeys(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom("api_keys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
