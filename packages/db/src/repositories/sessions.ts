import type { Kysely } from "kysely";
import type { Database, Session } from "../types";

export interface NewSession {
  tokenHash: string;
  userId: string | null;
  apiKeyId: string | null;
  csrfHash: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A session with the hash of the key it stands for (null for the admin key). */
export type SessionWithKey = Session & { key_hash: string | null };

/** Expired rows removed per sign-in: the table cleans itself without a job, a little at a time. */
const SWEEP_BATCH = 100;

/**
 * Stores a session, then keeps at most `maxPerKey` live sessions of its key (of the admin key
 * when `apiKeyId` is null), dropping the oldest, and removes a batch of expired sessions.
 */
export async function insertSession(
  db: Kysely<Database>,
  session: NewSession,
  maxPerKey: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("sessions")
      .values({
        token_hash: session.tokenHash,
        user_id: session.userId,
        api_key_id: session.apiKeyId,
        csrf_hash: session.csrfHash,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        last_seen_at: session.createdAt,
      })
      .execute();
    const kept = trx
      .selectFrom("sessions")
      .select("token_hash")
      .where((eb) =>
        session.apiKeyId === null
          ? eb.and([eb("api_key_id", "is", null), eb("user_id", "is", null)])
          : eb("api_key_id", "=", session.apiKeyId),
      )
      .orderBy("created_at", "desc")
      .orderBy("token_hash")
      .limit(maxPerKey);
    await trx
      .deleteFrom("sessions")
      .where((eb) =>
        session.apiKeyId === null
          ? eb.and([eb("api_key_id", "is", null), eb("user_id", "is", null)])
          : eb("api_key_id", "=", session.apiKeyId),
      )
      .where("token_hash", "not in", kept)
      .execute();
  });
  await db
    .deleteFrom("sessions")
    .where(
      "token_hash",
      "in",
      db
        .selectFrom("sessions")
        .select("token_hash")
        .where("expires_at", "<=", session.createdAt)
        .limit(SWEEP_BATCH),
    )
    .execute();
}

/**
 * The session stored under one of `tokenHashes` (a token's hash as a user's or as the admin's
 * session), expired or not: the caller tells an expired one from a guess.
 */
export async function findSession(
  db: Kysely<Database>,
  tokenHashes: readonly string[],
): Promise<SessionWithKey | undefined> {
  return db
    .selectFrom("sessions")
    .leftJoin("api_keys", "api_keys.id", "sessions.api_key_id")
    .selectAll("sessions")
    .select("api_keys.key_hash")
    .where("sessions.token_hash", "in", tokenHashes)
    .executeTakeFirst();
}

/** Marks a session used; only when its mark is older than `staleBefore`, so a busy page writes rarely. */
export async function touchSession(
  db: Kysely<Database>,
  tokenHash: string,
  now: Date,
  staleBefore: Date,
): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ last_seen_at: now })
    .where("token_hash", "=", tokenHash)
    .where("last_seen_at", "<", staleBefore)
    .execute();
}

export async function deleteSession(db: Kysely<Database>, tokenHashes: readonly string[]): Promise<void> {
  await db.deleteFrom("sessions").where("token_hash", "in", tokenHashes).execute();
}
