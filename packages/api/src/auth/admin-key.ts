import { type Database, getSetting, setSettingIfAbsent } from "@llmg/db";
import type { Kysely } from "kysely";
import { generateApiKey, hashKey } from "./api-key";

const SETTING = "admin_key_hash";

export interface AdminKeyResolution {
  hash: string;
  /** The plaintext key when this start generated it: show it once, never store it. */
  generatedKey?: string;
}

/**
 * LLMG_ADMIN_KEY wins when set. Otherwise the first start generates a key and keeps only its
 * hash; concurrent first starts (several replicas) agree on one through the insert-if-absent.
 */
export async function resolveAdminKey(
  db: Kysely<Database>,
  configured: string | undefined,
): Promise<AdminKeyResolution> {
  if (configured) return { hash: hashKey(configured) };
  const stored = await getSetting(db, SETTING);
  if (stored) return { hash: stored };
  const candidate = generateApiKey("admin");
  const winner = await setSettingIfAbsent(db, SETTING, candidate.hash);
  return winner === candidate.hash ? { hash: winner, generatedKey: candidate.key } : { hash: winner };
}
