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

/** The credential a chat call for this provider uses: the default, else the best by priority, else the oldest. */
export async function findCredentialForProvider(
  db: Db,
  userId: string,
  provider: string,
): Promise<ProviderCredential | undefined> {
  return db
    .selectFrom("provider_credentials")
    .selectAll()
    .where("user_id", "=", userId)
    .where("provider", "=", provider)
    .orderBy("is_default", "desc")
    .orderBy("priority", "desc")
    .orderBy("created_at")
    .limit(1)
    .executeTakeFirst();
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
