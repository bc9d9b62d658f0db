import { Pool } from "undici";
import type { EgressGuard } from "../../egress";

/**
 * One keep-alive connection pool per provider origin (and connect timeout), shared by every call.
 * Connections are unbounded: a long stream holds its connection, and queueing behind it would add
 * latency to unrelated requests.
 */
const pools = new Map<string, Pool>();

const KEEP_ALIVE_MS = 30_000;
const KEEP_ALIVE_MAX_MS = 10 * 60_000;

/**
 * `egress` is given for an untrusted origin (a credential's own base_url): its pool connects only
 * through the guard's connector, which checks every new connection's address. Such pools are kept
 * apart from trusted pools of the same origin.
 */
export function getPool(origin: string, connectTimeoutMs: number, egress?: EgressGuard): Pool {
  const key = egress ? `${origin}#${connectTimeoutMs}#egress${egress.id}` : `${origin}#${connectTimeoutMs}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(origin, {
      // undici's Pool never follows redirects, so the checked origin is the only one reached.
      connect: egress ? egress.connector(connectTimeoutMs) : { timeout: connectTimeoutMs },
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
