import type { Kysely } from "kysely";
import type { Database } from "../types";

/** Sets (or clears, with null) a team's sealed webhook signing secret. */
export async function setTeamWebhookSecret(
  db: Kysely<Database>,
  teamId: string,
  sealed: string | null,
): Promise<void> {
  await db.updateTable("teams").set({ webhook_secret: sealed }).where("id", "=", teamId).execute();
}

/** Where a team's alerts go and the sealed secret they are signed with. */
export async function findTeamWebhook(
  db: Kysely<Database>,
  teamId: string,
): Promise<{ webhook_url: string | null; webhook_secret: string | null } | undefined> {
  return db
    .selectFrom("teams")
    .select(["webhook_url", "webhook_secret"])
    .where("id", "=", teamId)
    .executeTakeFirst();
}
