import { timingSafeEqual } from "node:crypto";
import { type Database, findActiveKeyByHash, findUserById, touchKeysLastUsed } from "@llmg/db";
import type { Kysely } from "kysely";
import { ApiError } from "../errors";
import { bearerToken, hashKey, KEY_PREFIX } from "./api-key";

export interface UserPrincipal {
  kind: "user";
  userId: string;
  keyId: string;
  keyHash: string;
  email: string;
  monthlyBudgetUsd: string | null;
  /** The tighter of the user's and the key's limits, null when neither sets one. */
  rateLimitRpm: number | null;
  rateLimitTpm: number | null;
}

export type Principal = { kind: "admin" } | UserPrincipal;

export interface Authenticator {
  /** Resolves an Authorization header to a principal, or throws a 401 ApiError. */
  authenticate(authorization: string | undefined): Promise<Principal>;
  /** Drops a key from this replica's cache so its revocation takes effect at once. */
  forget(keyHash: string): void;
  /** Writes the last-used times gathered since the previous flush. */
  flushLastUsed(): Promise<void>;
}

interface CacheEntry {
  principal: UserPrincipal;
  expiresAt: number;
}

function tighter(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function createAuthenticator(options: {
  db: Kysely<Database>;
  adminKeyHash: string;
  cacheTtlMs: number;
  now?: () => number;
}): Authenticator {
  const { db, adminKeyHash, cacheTtlMs } = options;
  const now = options.now ?? Date.now;
  // Keyed by key hash. The TTL bounds how long a key revoked on another replica keeps working.
  const cache = new Map<string, CacheEntry>();
  // Concurrent misses of one key share its lookup: when the entry of a busy key expires, the
  // calls in flight would otherwise each query the database at once.
  const lookups = new Map<string, Promise<UserPrincipal | undefined>>();
  // Bumped by forget(): a lookup that began before a revocation must not cache its answer.
  let generation = 0;
  let usedSinceFlush = new Set<string>();

  async function lookup(hash: string): Promise<UserPrincipal | undefined> {
    const key = await findActiveKeyByHash(db, hash);
    if (!key) return undefined;
    const user = await findUserById(db, key.user_id);
    if (!user) return undefined;
    return {
      kind: "user",
      userId: user.id,
      keyId: key.id,
      keyHash: hash,
      email: user.email,
      monthlyBudgetUsd: user.monthly_budget_usd,
      rateLimitRpm: tighter(user.rate_limit_rpm, key.rate_limit_rpm),
      rateLimitTpm: tighter(user.rate_limit_tpm, key.rate_limit_tpm),
    };
  }

  return {
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (!token) {
        throw new ApiError("unauthorized", "Missing API key: send Authorization: Bearer llmg_...");
      }
      if (!token.startsWith(KEY_PREFIX)) throw new ApiError("unauthorized", "Invalid API key");
      const hash = hashKey(token);
      if (sameHash(hash, adminKeyHash)) return { kind: "admin" };

      const t = now();
      const hit = cache.get(hash);
      let principal = hit && hit.expiresAt > t ? hit.principal : undefined;
      if (!principal) {
        let pending = lookups.get(hash);
        if (!pending) {
          const startedAt = generation;
          pending = lookup(hash).then((found) => {
            if (found && cacheTtlMs > 0 && generation === startedAt) {
              cache.set(hash, { principal: found, expiresAt: t + cacheTtlMs });
            }
            return found;
          });
          const shared = pending;
          lookups.set(hash, shared);
          void shared.then(
            () => lookups.get(hash) === shared && lookups.delete(hash),
            () => lookups.get(hash) === shared && lookups.delete(hash),
          );
        }
        principal = await pending;
        if (!principal) {
          cache.delete(hash);
          throw new ApiError("unauthorized", "Invalid or revoked API key");
        }
      }
      usedSinceFlush.add(principal.keyId);
      return principal;
    },
    forget(keyHash) {
      generation++;
      cache.delete(keyHash);
      lookups.delete(keyHash);
    },
    async flushLastUsed() {
      if (usedSinceFlush.size === 0) return;
      const ids = [...usedSinceFlush];
      usedSinceFlush = new Set();
      await touchKeysLastUsed(db, ids, new Date(now()));
    },
  };
}
