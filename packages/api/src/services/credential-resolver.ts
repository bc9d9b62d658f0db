import type { ProviderId } from "@llmg/core";
import { type Database, findCredentialForProvider } from "@llmg/db";
import type { Kysely } from "kysely";
import type { SecretBox } from "../crypto/secret-box";

export interface ResolvedCredential {
  id: string;
  provider: ProviderId;
  apiKey: string;
  baseUrl: string | null;
}

export interface CredentialResolver {
  /** The credential a chat call of this user to this provider uses, decrypted. */
  resolve(userId: string, provider: ProviderId): Promise<ResolvedCredential | undefined>;
  /** Drops this replica's cached copy after a change. */
  invalidate(userId: string, provider: string): void;
}

/**
 * Decrypting and querying on every chat call costs a round trip and an AES pass; a short-lived
 * cache removes both from the hot path. Other replicas see a change within the TTL.
 */
export function createCredentialResolver(options: {
  db: Kysely<Database>;
  secrets: SecretBox;
  ttlMs: number;
}): CredentialResolver {
  const cache = new Map<string, { value: ResolvedCredential | undefined; expiresAt: number }>();
  return {
    async resolve(userId, provider) {
      const cacheKey = `${userId}\u0000${provider}`;
      const now = Date.now();
      const hit = cache.get(cacheKey);
      if (hit && hit.expiresAt > now) return hit.value;
      const row = await findCredentialForProvider(options.db, userId, provider);
      const value = row
        ? {
            id: row.id,
            provider,
            apiKey: options.secrets.open(row.encrypted_secret, row.id),
            baseUrl: row.base_url,
          }
        : undefined;
      // A missing credential is not cached: adding one must take effect at once.
      if (value && options.ttlMs > 0) cache.set(cacheKey, { value, expiresAt: now + options.ttlMs });
      return value;
    },
    invalidate(userId, provider) {
      cache.delete(`${userId}\u0000${provider}`);
    },
  };
}
