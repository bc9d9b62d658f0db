import type { ProviderId } from "@llmg/core";
import { type Database, listCredentialsForProvider } from "@llmg/db";
import type { Kysely } from "kysely";
import type { SecretBox } from "../crypto/secret-box";
import {
  type Breakers,
  type CredentialHealth,
  createBreakers,
  createMemoryBreakerStore,
  outcomeOf,
} from "../routing";

export interface ResolvedCredential {
  id: string;
  provider: ProviderId;
  apiKey: string;
  baseUrl: string | null;
  priority: number;
  weight: number;
}

export interface CredentialResolver {
  /**
   * The credential a chat call of this user to this provider uses, decrypted: one of the user's
   * credentials for it, by priority and weight, skipping open circuits (see routing/breaker.ts).
   * Undefined when the user has none; 503 provider_unavailable when every circuit is open.
   */
  resolve(userId: string, provider: ProviderId): Promise<ResolvedCredential | undefined>;
  /** How the call with this credential ended: no error is a success. Never throws. */
  report(userId: string, provider: string, credentialId: string, error?: unknown): Promise<void>;
  /** Each credential's circuit, read from the shared state. */
  health(
    userId: string,
    credentials: readonly { id: string; provider: string }[],
  ): Promise<Map<string, CredentialHealth>>;
  /** Closes a credential's circuit (its key was replaced, or it was deleted). */
  reset(userId: string, provider: string, credentialId: string): Promise<void>;
  /** Drops this replica's cached copy after a change. */
  invalidate(userId: string, provider: string): void;
}

/**
 * Decrypting and querying on every chat call costs a round trip and an AES pass; a short-lived
 * cache of the user's decrypted credentials per provider removes both from the hot path, and
 * the choice among them is made per call. Other replicas see a change within the TTL.
 */
export function createCredentialResolver(options: {
  db: Kysely<Database>;
  secrets: SecretBox;
  ttlMs: number;
  /** Circuit breakers (default: in process, 5 failures, 30 s cool-down). */
  breakers?: Breakers;
}): CredentialResolver {
  const breakers =
    options.breakers ??
    createBreakers({ store: createMemoryBreakerStore(), failures: 5, cooldownMs: 30_000 });
  const cache = new Map<string, { value: ResolvedCredential[]; expiresAt: number }>();

  async function list(userId: string, provider: ProviderId): Promise<ResolvedCredential[]> {
    const cacheKey = `${userId}\u0000${provider}`;
    const now = Date.now();
    const hit = cache.get(cacheKey);
    if (hit && hit.expiresAt > now) return hit.value;
    const rows = await listCredentialsForProvider(options.db, userId, provider);
    const value = rows.map((row) => ({
      id: row.id,
      provider,
      apiKey: options.secrets.open(row.encrypted_secret, row.id),
      baseUrl: row.base_url,
      priority: row.priority,
      weight: row.weight,
    }));
    // A missing credential is not cached: adding one must take effect at once.
    if (value.length > 0 && options.ttlMs > 0) cache.set(cacheKey, { value, expiresAt: now + options.ttlMs });
    return value;
  }

  return {
    async resolve(userId, provider) {
      const credentials = await list(userId, provider);
      if (credentials.length === 0) return undefined;
      return breakers.choose(userId, provider, credentials);
    },
    report(userId, provider, credentialId, error) {
      return breakers.report(
        userId,
        provider,
        credentialId,
        error === undefined ? "success" : outcomeOf(error),
      );
    },
    health: (userId, credentials) => breakers.health(userId, credentials),
    reset: (userId, provider, credentialId) => breakers.reset(userId, provider, credentialId),
    invalidate(userId, provider) {
      cache.delete(`${userId}\u0000${provider}`);
    },
  };
}
