import { Cluster, type Redis } from "ioredis";
import type { AppConfig } from "../config";

/** The connection the budget and rate counters use, and how to close it. */
export interface CountersRedis {
  client: Redis | Cluster | undefined;
  close(): Promise<void>;
}

/**
 * Counters on a Redis Cluster when LLMG_COUNTERS_REDIS_CLUSTER names its nodes, else on the
 * deployment's Redis (`shared`, closed by its owner). The cluster client takes the same bounds
 * as the shared connection: no reply within them means the store is in trouble, and the limiter
 * applies its fail mode.
 */
export function openCountersRedis(
  config: AppConfig,
  shared: Redis | undefined,
  onError: (message: string) => void,
): CountersRedis {
  const nodes = config.LLMG_COUNTERS_REDIS_CLUSTER;
  if (!nodes || nodes.length === 0) return { client: shared, close: async () => {} };
  if (!shared) throw new Error("LLMG_COUNTERS_REDIS_CLUSTER needs REDIS_URL (production mode)");
  const cluster = new Cluster(nodes, {
    enableAutoPipelining: true,
    redisOptions: { maxRetriesPerRequest: 2, connectTimeout: 5_000, commandTimeout: 5_000 },
  });
  cluster.on("error", (err: Error) => onError(err.message));
  return {
    client: cluster,
    close: () =>
      cluster.quit().then(
        () => {},
        () => cluster.disconnect(),
      ),
  };
}
