import type Redis from "ioredis";
import type { ResponseCacheStore } from "./store";

/**
 * Production's cache: one Redis string per entry, expired by Redis itself (PX), so every replica
 * reads what any of them wrote and nothing needs sweeping. Bounded by the entry size the caller
 * enforces and by Redis's own maxmemory policy.
 */
export function createRedisCacheStore(redis: Redis, prefix: string): ResponseCacheStore {
  const keyOf = (key: string) => `${prefix}rc:${key}`;
  return {
    kind: "redis",
    async get(key) {
      return (await redis.get(keyOf(key))) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await redis.set(keyOf(key), value, "PX", ttlMs);
    },
  };
}
