import { createHash, timingSafeEqual } from "node:crypto";
import {
  type BudgetPeriod,
  type Database,
  findActiveKeyByHash,
  findUserById,
  type KeyScope,
  touchKeysLastUsed,
} from "@llmg/db";
import type { Kysely } from "kysely";
import { ApiError } from "../errors";
import { bearerToken, hashKey, KEY_PREFIX } from "./api-key";
import { createFailureThrottle } from "./failure-throttle";

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
  /** The team the key's calls count for; null = none. */
  teamId: string | null;
  /** What the key may do (see auth/key-rules.ts). */
  scopes: readonly KeyScope[];
  /** "provider/model" or "provider/*" entries; null = every model. */
  allowedModels: readonly string[] | null;
  /** Epoch ms from which the key is refused (401 key_expired); null = never. */
  expiresAt: number | null;
  /** The key's own budget (exact decimal) per `budgetPeriod`; null = none. */
  budgetUsd: string | null;
  budgetPeriod: BudgetPeriod | null;
  /** Calls of the key in flight at once; null = no cap. */
  maxParallel: number | null;
}

export type Principal = { kind: "admin" } | UserPrincipal;

export interface AuthStats {
  /** Keys looked up in the database (cache misses). */
  lookups: number;
  /** Bad keys answered from the negative cache, without a lookup. */
  negativeHits: number;
  /** Calls refused because their address presented too many bad keys. */
  throttled: number;
}

export interface Authenticator {
  /**
   * Resolves an Authorization header to a principal, or throws: 401 for a missing or bad key,
   * 403 account_disabled for a disabled user's key, 429 when `clientAddress` has presented too
   * many bad keys lately (no address: not throttled).
   */
  authenticate(authorization: string | undefined, clientAddress?: string | null): Promise<Principal>;
  /**
   * The principal of a stored key hash (a browser session's key), through the same cache and
   * checks as a Bearer key: 401 once the key is revoked, 403 for a disabled user, 401
   * key_expired. Not a guess, so it never counts towards the bad-key throttle.
   */
  authenticateKeyHash(keyHash: string): Promise<UserPrincipal>;
  /** Throws the bad-key throttle's 429 when `clientAddress` presented too many bad credentials. */
  assertNotThrottled(clientAddress: string | null | undefined): void;
  /** Counts a bad credential (e.g. an unknown session cookie) against the address; the 401 to throw. */
  badCredential(clientAddress: string | null | undefined, message: string): ApiError;
  /**
   * `value` hashed together with the admin key's hash: stored for an admin session, so that a
   * new admin key (LLMG_ADMIN_KEY changed) ends the sessions made with the old one.
   */
  adminBound(value: string): string;
  /** Whether the header carries the admin key (no lookup, no throttling). */
  isAdmin(authorization: string | undefined): boolean;
  /** Drops a key from this replica's cache so its revocation takes effect at once. */
  forget(keyHash: string): void;
  /** Drops every cached key of a user (disabled, limits changed) on this replica. */
  forgetUser(userId: string): void;
  /** Writes the last-used times gathered since the previous flush. */
  flushLastUsed(): Promise<void>;
  stats(): AuthStats;
}

export interface AuthenticatorOptions {
  db: Kysely<Database>;
  adminKeyHash: string;
  cacheTtlMs: number;
  /** How long an unknown or revoked key is remembered as bad (default 5 s). */
  negativeTtlMs?: number;
  /** Bad keys one client address may present per minute before 429 (default 20; 0 = no limit). */
  failuresPerMinute?: number;
  /** Entries each cache may hold (default 50,000 good and 10,000 bad keys). */
  maxCached?: number;
  maxNegative?: number;
  now?: () => number;
}

interface CacheEntry {
  principal: UserPrincipal;
  disabled: boolean;
  expiresAt: number;
}

interface Found {
  principal: UserPrincipal;
  disabled: boolean;
}

const DEFAULT_NEGATIVE_TTL_MS = 5_000;
const DEFAULT_FAILURES_PER_MINUTE = 20;
const DEFAULT_MAX_CACHED = 50_000;
const DEFAULT_MAX_NEGATIVE = 10_000;

function tighter(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Map insertion order is the eviction order: entries are (re)inserted when they are fetched. */
function setBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

export const accountDisabled = () =>
  new ApiError("account_disabled", "This account is disabled: ask the gateway's administrator");

// The message never carries the key (nor its prefix): an expired key may be given a new expiry.
export const keyExpired = (expiresAt: number) =>
  new ApiError(
    "key_expired",
    `This API key expired at ${new Date(expiresAt).toISOString()}: use another key`,
  );

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { db, adminKeyHash, cacheTtlMs } = options;
  const now = options.now ?? Date.now;
  const negativeTtlMs = options.negativeTtlMs ?? DEFAULT_NEGATIVE_TTL_MS;
  const maxCached = options.maxCached ?? DEFAULT_MAX_CACHED;
  const maxNegative = options.maxNegative ?? DEFAULT_MAX_NEGATIVE;
  const throttle = createFailureThrottle({
    maxFailures: options.failuresPerMinute ?? DEFAULT_FAILURES_PER_MINUTE,
    windowMs: 60_000,
    now,
  });
  // Keyed by key hash. The TTL bounds how long a key revoked on another replica keeps working.
  const cache = new Map<string, CacheEntry>();
  // Hashes that matched no active key: a flood of bad keys costs a map lookup, not a query.
  // A key cannot come into existence later under a hash tried before (keys are 256 random bits).
  const negative = new Map<string, number>();
  // Concurrent misses of one key share its lookup: when the entry of a busy key expires, the
  // calls in flight would otherwise each query the database at once.
  const lookups = new Map<string, Promise<Found | undefined>>();
  // Bumped by forget(): a lookup that began before a revocation must not cache its answer.
  let generation = 0;
  let usedSinceFlush = new Set<string>();
  const stats: AuthStats = { lookups: 0, negativeHits: 0, throttled: 0 };

  async function lookup(hash: string): Promise<Found | undefined> {
    stats.lookups++;
    const key = await findActiveKeyByHash(db, hash);
    if (!key) return undefined;
    const user = await findUserById(db, key.user_id);
    if (!user) return undefined;
    return {
      disabled: user.disabled,
      principal: {
        kind: "user",
        userId: user.id,
        keyId: key.id,
        keyHash: hash,
        email: user.email,
        monthlyBudgetUsd: user.monthly_budget_usd,
        rateLimitRpm: tighter(user.rate_limit_rpm, key.rate_limit_rpm),
        rateLimitTpm: tighter(user.rate_limit_tpm, key.rate_limit_tpm),
        teamId: key.team_id,
        scopes: Object.freeze([...key.scopes]),
        allowedModels: key.allowed_models === null ? null : Object.freeze([...key.allowed_models]),
        expiresAt: key.expires_at?.getTime() ?? null,
        budgetUsd: key.budget_usd,
        budgetPeriod: key.budget_usd === null ? null : (key.budget_period ?? "month"),
        maxParallel: key.max_parallel,
      },
    };
  }

  function badKey(clientAddress: string | null | undefined, message: string): ApiError {
    throttle.fail(clientAddress);
    return new ApiError("unauthorized", message);
  }

  function resolve(hash: string, t: number): Promise<Found | undefined> {
    let pending = lookups.get(hash);
    if (pending) return pending;
    const startedAt = generation;
    pending = lookup(hash).then((found) => {
      if (generation === startedAt) {
        if (found && cacheTtlMs > 0) {
          setBounded(cache, hash, { ...found, expiresAt: t + cacheTtlMs }, maxCached);
        } else if (!found && negativeTtlMs > 0) {
          setBounded(negative, hash, t + negativeTtlMs, maxNegative);
        }
      }
      return found;
    });
    const shared = pending;
    lookups.set(hash, shared);
    void shared.then(
      () => lookups.get(hash) === shared && lookups.delete(hash),
      () => lookups.get(hash) === shared && lookups.delete(hash),
    );
    return shared;
  }

  function assertNotThrottled(clientAddress: string | null | undefined): void {
    const wait = throttle.blockedFor(clientAddress);
    if (wait > 0) {
      stats.throttled++;
      throw new ApiError(
        "rate_limit_exceeded",
        `Too many invalid API keys from this address: try again in ${wait} s`,
        { retryAfter: wait },
      );
    }
  }

  function checked(found: Found, t: number): UserPrincipal {
    if (found.disabled) throw accountDisabled();
    // Checked on every call, cached or not: the cache TTL must not stretch a key's life. A
    // known key that expired is not a guess, so it does not count towards the bad-key throttle.
    const expiresAt = found.principal.expiresAt;
    if (expiresAt !== null && t >= expiresAt) throw keyExpired(expiresAt);
    usedSinceFlush.add(found.principal.keyId);
    return found.principal;
  }

  /**
   * A user key's principal by hash; `missing` makes the error for an unknown or revoked key.
   * A cache hit answers synchronously, so the Bearer path awaits nothing more than before.
   */
  function userPrincipal(hash: string, missing: () => ApiError): UserPrincipal | Promise<UserPrincipal> {
    const t = now();
    const hit = cache.get(hash);
    if (hit && hit.expiresAt > t) return checked(hit, t);
    const bad = negative.get(hash);
    if (bad !== undefined && bad > t) {
      stats.negativeHits++;
      throw missing();
    }
    return resolve(hash, t).then((found) => {
      if (!found) {
        cache.delete(hash);
        throw missing();
      }
      return checked(found, t);
    });
  }

  return {
    async authenticate(authorization, clientAddress) {
      const token = bearerToken(authorization);
      if (!token) {
        throw new ApiError("unauthorized", "Missing API key: send Authorization: Bearer llmg_...");
      }
      assertNotThrottled(clientAddress);
      if (!token.startsWith(KEY_PREFIX)) throw badKey(clientAddress, "Invalid API key");
      const hash = hashKey(token);
      if (sameHash(hash, adminKeyHash)) return { kind: "admin" };
      return userPrincipal(hash, () => badKey(clientAddress, "Invalid or revoked API key"));
    },
    async authenticateKeyHash(keyHash) {
      return userPrincipal(
        keyHash,
        () => new ApiError("unauthorized", "The key this session was made from is revoked: sign in again"),
      );
    },
    assertNotThrottled,
    badCredential: badKey,
    adminBound(value) {
      return createHash("sha256").update(`${adminKeyHash}:${value}`).digest("hex");
    },
    isAdmin(authorization) {
      const token = bearerToken(authorization);
      return token !== undefined && sameHash(hashKey(token), adminKeyHash);
    },
    forget(keyHash) {
      generation++;
      cache.delete(keyHash);
      lookups.delete(keyHash);
    },
    forgetUser(userId) {
      generation++;
      // An admin action, rare: a scan of this replica's cache is cheaper than an index by user.
      for (const [hash, entry] of cache) {
        if (entry.principal.userId === userId) cache.delete(hash);
      }
      // Lookups in flight may belong to the user; dropping them only costs a new query.
      lookups.clear();
    },
    async flushLastUsed() {
      if (usedSinceFlush.size === 0) return;
      const ids = [...usedSinceFlush];
      usedSinceFlush = new Set();
      await touchKeysLastUsed(db, ids, new Date(now()));
    },
    stats() {
      return { ...stats };
    },
  };
}
