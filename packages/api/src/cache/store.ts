/**
 * Where cached answers live: Redis in production (shared by every replica, expired by Redis),
 * a bounded LRU in process memory when embedded. Values are encoded answers (JSON text) of at
 * most MAX_ENTRY_BYTES; keys are cacheKey() hex digests.
 */
export interface ResponseCacheStore {
  readonly kind: "redis" | "memory";
  /** The entry, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores an entry for `ttlMs`, replacing any under the same key. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
}
