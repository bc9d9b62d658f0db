import type { Kysely, Transaction } from "kysely";
import type { Database, NewProviderCredential, ProviderCredential, ProviderCredentialUpdate } from "../types";

type Db = Kysely<Database> | Transaction<Database>;

export async function listCredentials(db: Db, userId: string): Promise<ProviderCredential[]> {
  return db
    .selectFrom("provider_credentials")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("provider")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** One of the user's credentials; another user's id is simply not found. */
export async function findCredential(
  db: Db,
  userId: string,
  id: string,
): Promise<ProviderCredential | undefined> {
  return db
    .selectFrom("provider_credentials")
    .selectAll()
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** How many of a user's credentials for one provider the chat path spreads calls over, at most. */
export const MAX_ROUTED_CREDENTIALS = 100;

/**
 * The credentials chat calls to this provider are spread over: highest priority first (a lower
 * tier is used only while every higher one has its circuit open), then the oldest.
 */
export async function listCredentialsForProvider(
  db: Db,
  userId: string,
  provider: string,
): Promise<ProviderCredential[]> {
  return db
    .selectFrom("provider_credentials")
    .selectAll()
    .where("user_id", "=", userId)
    .where("provider", "=", provider)
    .orderBy("priority", "desc")
    .orderBy("created_at")
    .orderBy("id")
    .limit(MAX_ROUTED_CREDENTIALS)
    .execute();
}

export async function countCredentials(db: Db, userId: string, provider?: string): Promise<number> {
  let q = db.selectFrom("provider_credentials").where("user_id", "=", userId);
  if (provider) q = q.where("provider", "=", provider);
  const row = await q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return row.n;
}

export async function insertCredential(db: Db, values: NewProviderCredential): Promise<ProviderCredential> {
  return db.insertInto("provider_credentials").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateCredential(
  db: Db,
  userId: string,
  id: string,
  values: ProviderCredentialUpdate,
): Promise<ProviderCredential | undefined> {
  return db
    .updateTable("provider_credentials")
    .set({ ...values, updated_at: new Date() })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .returningAll()
    .executeTakeFirst();
}

/** Clears the default flag of the user's other credentials for that provider. */
export async function clearDefault(
  db: Db,
  userId: string,
  provider: string,
  exceptId: string,
): Promise<void> {
  await db
    .updateTable("provider_credentials")
    .set({ is_default: false })
    .where("user_id", "=", userId)
    .where("provider", "=", provider)
    .where("id", "!=", exceptId)
    .where("is_default", "=", true)
    .execute();
}

export async function deleteCredential(
  db: Db,
  userId: string,
  id: string,
): Promise<ProviderCredential | undefined> {
  return db
    .deleteFrom("provider_credentials")
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .returningAll()
    .executeTakeFirst();
}
