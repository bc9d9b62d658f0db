import { Pool } from "undici";
import type { EgressGuard } from "../../egress";

/**
 * One keep-alive connection pool per provider origin (and connect timeout), shared by every call.
 * Connections are unbounded: a long stream holds its connection, and queueing behind it would add
 * latency to unrelated requests.
 */
const pools = new Map<string, Pool>();

/** Pools of untrusted origins, least recently used first. */
const untrustedPools = new Map<string, { pool: Pool; usedAt: number }>();
/** Users choose untrusted origins, so their pools are bounded: the least recently used is closed. */
const MAX_UNTRUSTED_POOLS = 256;
/** ...and a pool nobody used for this long is closed too, so origins tried once do not linger. */
const UNTRUSTED_IDLE_MS = 10 * 60_000;

const KEEP_ALIVE_MS = 30_000;
const KEEP_ALIVE_MAX_MS = 10 * 60_000;

/**
 * `egress` is given for an untrusted origin (a credential's own base_url): its pool connects only
 * through the guard's connector, which checks every new connection's address. Such pools are kept
 * apart from trusted pools of the same origin.
 */
export function getPool(origin: string, connectTimeoutMs: number, egress?: EgressGuard): Pool {
  if (egress) return untrustedPool(origin, connectTimeoutMs, egress);
  const key = `${origin}#${connectTimeoutMs}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = newPool(origin, { timeout: connectTimeoutMs });
    pools.set(key, pool);
  }
  return pool;
}

function newPool(origin: string, connect: Pool.Options["connect"]): Pool {
  // undici's Pool never follows redirects, so the origin it was made for is the only one reached.
  return new Pool(origin, {
    connect,
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MAX_MS,
  });
}

function untrustedPool(origin: string, connectTimeoutMs: number, egress: EgressGuard): Pool {
  const key = `${origin}#${connectTimeoutMs}#${egress.id}`;
  const now = Date.now();
  const entry = untrustedPools.get(key);
  if (entry) {
    untrustedPools.delete(key);
    entry.usedAt = now;
    untrustedPools.set(key, entry);
    return entry.pool;
  }
  // The map is in order of use: the oldest entries are the first to be idle or over the bound.
  for (const [oldKey, old] of untrustedPools) {
    if (untrustedPools.size < MAX_UNTRUSTED_POOLS && now - old.usedAt < UNTRUSTED_IDLE_MS) break;
    untrustedPools.delete(oldKey);
    // Lets its calls in flight finish; a retry fetches a new pool (send() asks per attempt).
    old.pool.close().catch(() => old.pool.destroy());
  }
  const pool = newPool(origin, egress.connector(connectTimeoutMs));
  untrustedPools.set(key, { pool, usedAt: now });
  return pool;
}

/** Untrusted pools currently open (for tests). */
export function untrustedPoolCount(): number {
  return untrustedPools.size;
}

/** For graceful shutdown: lets in-flight requests finish, then closes every pooled connection. */
export async function closeAllPools(): Promise<void> {
  const all = [...pools.values(), ...[...untrustedPools.values()].map((e) => e.pool)];
  pools.clear();
  untrustedPools.clear();
  await Promise.all(all.map((pool) => pool.close().catch(() => pool.destroy())));
}
