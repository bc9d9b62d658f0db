import { Pool } from "undici";

/**
 * One keep-alive connection pool per provider origin (and connect timeout), shared by every call.
 * Connections are unbounded: a long stream holds its connection, and queueing behind it would add
 * latency to unrelated requests.
 */
const pools = new Map<string, Pool>();

const KEEP_ALIVE_MS = 30_000;
const KEEP_ALIVE_MAX_MS = 10 * 60_000;

export function getPool(origin: string, connectTimeoutMs: number): Pool {
  const key = `${origin}#${connectTimeoutMs}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(origin, {
      connect: { timeout: connectTimeoutMs },
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MAX_MS,
    });
    pools.set(key, pool);
  }
  return pool;
}

/** For graceful shutdown: lets in-flight requests finish, then closes every pooled connection. */
export async function closeAllPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.close().catch(() => pool.destroy())));
}
