import type { Kysely } from "kysely";
import { newId } from "../ids";
import type { ApiKey, BudgetPeriod, Database, KeyScope } from "../types";

/** What a key carries besides its identity; left out = the column's default (or unchanged). */
export interface ApiKeyAttributes {
  teamId?: string | null;
  scopes?: KeyScope[];
  allowedModels?: string[] | null;
  expiresAt?: Date | null;
  budgetUsd?: string | null;
  budgetPeriod?: BudgetPeriod | null;
  rateLimitRpm?: number | null;
  rateLimitTpm?: number | null;
  maxParallel?: number | null;
}

export interface InsertApiKeyInput extends ApiKeyAttributes {
  userId: string;
  name?: string | null;
  prefix: string;
  keyHash: string;
}

function attributeColumns(attrs: ApiKeyAttributes) {
  return {
    ...(attrs.teamId !== undefined ? { team_id: attrs.teamId } : {}),
    ...(attrs.scopes !== undefined ? { scopes: JSON.stringify(attrs.scopes) } : {}),
    ...(attrs.allowedModels !== undefined
      ? { allowed_models: attrs.allowedModels === null ? null : JSON.stringify(attrs.allowedModels) }
      : {}),
    ...(attrs.expiresAt !== undefined ? { expires_at: attrs.expiresAt } : {}),
    ...(attrs.budgetUsd !== undefined ? { budget_usd: attrs.budgetUsd } : {}),
    ...(attrs.budgetPeriod !== undefined ? { budget_period: attrs.budgetPeriod } : {}),
    ...(attrs.rateLimitRpm !== undefined ? { rate_limit_rpm: attrs.rateLimitRpm } : {}),
    ...(attrs.rateLimitTpm !== undefined ? { rate_limit_tpm: attrs.rateLimitTpm } : {}),
    ...(attrs.maxParallel !== undefined ? { max_parallel: attrs.maxParallel } : {}),
  };
}

export async function insertApiKey(db: Kysely<Database>, input: InsertApiKeyInput): Promise<ApiKey> {
  return db
    .insertInto("api_keys")
    .values({
      id: newId("key"),
      user_id: input.userId,
      name: input.name ?? null,
      prefix: input.prefix,
      key_hash: input.keyHash,
      ...attributeColumns(input),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The key with this hash if it is not revoked. */
export async function findActiveKeyByHash(
  db: Kysely<Database>,
  keyHash: string,
): Promise<ApiKey | undefined> {
  return db
    .selectFrom("api_keys")
    .selectAll()
    .where("key_hash", "=", keyHash)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

export async function listActiveKeys(db: Kysely<Database>, userId: string): Promise<ApiKey[]> {
  return db
    .selectFrom("api_keys")
    .selectAll()
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .orderBy("created_at", "asc")
    .orderBy("id", "asc")
    .execute();
}

/**
 * One of the user's active keys; undefined when it is not theirs or is revoked. `lock` holds the
 * row until the transaction ends, so a change computed from it (a budget period kept or
 * refused) is not raced by another.
 */
export async function findActiveKey(
  db: Kysely<Database>,
  userId: string,
  keyId: string,
  options: { lock?: boolean } = {},
): Promise<ApiKey | undefined> {
  const query = db
    .selectFrom("api_keys")
    .selectAll()
    .where("id", "=", keyId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

/** Revokes one of the user's own keys; undefined when it is not theirs or already revoked. */
export async function revokeKey(
  db: Kysely<Database>,
  userId: string,
  keyId: string,
): Promise<ApiKey | undefined> {
  return db
    .updateTable("api_keys")
    .set({ revoked_at: new Date() })
    .where("id", "=", keyId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** Changes one of the user's active keys; undefined when it is not theirs or is revoked. */
export async function updateKeyAttributes(
  db: Kysely<Database>,
  userId: string,
  keyId: string,
  patch: ApiKeyAttributes & { name?: string | null },
): Promise<ApiKey | undefined> {
  const values = { ...attributeColumns(patch), ...(patch.name !== undefined ? { name: patch.name } : {}) };
  if (Object.keys(values).length === 0) return findActiveKey(db, userId, keyId);
  return db
    .updateTable("api_keys")
    .set(values)
    .where("id", "=", keyId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

export async function touchKeysLastUsed(db: Kysely<Database>, keyIds: string[], at: Date): Promise<void> {
  if (keyIds.length === 0) return;
  await db.updateTable("api_keys").set({ last_used_at: at }).where("id", "in", keyIds).execute();
}

/** Hashes of keys revoked since `since`, so other replicas can drop them from their caches. */
export async function keyHashesRevokedSince(db: Kysely<Database>, since: Date): Promise<string[]> {
  const rows = await db.selectFrom("api_keys").select("key_hash").where("revoked_at", ">=", since).execute();
  return rows.map((r) => r.key_hash);
}
