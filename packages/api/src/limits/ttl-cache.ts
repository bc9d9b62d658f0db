/** A per-replica cache of settings read on every chat call (see createSettingsCache). */
export interface TtlCache<V> {
  get(id: string): Promise<V>;
  /** Forgets one entry on this replica (it changed); other replicas follow within the TTL. */
  invalidate(id: string): void;
}

// Past this many entries, expired ones are dropped on the next miss so memory stays bounded.
const PRUNE_AT = 10_000;

/**
 * Keeps each loaded value for `ttlMs` (0: never kept). Concurrent misses share one load, and a
 * failed load is not kept.
 */
export function createTtlCache<V>(
  ttlMs: number,
  clock: () => number,
  load: (id: string) => Promise<V>,
): TtlCache<V> {
  const cache = new Map<string, { value: Promise<V>; expiresAt: number }>();
  return {
    get(id) {
      const now = clock();
      const hit = cache.get(id);
      if (hit && hit.expiresAt > now) return hit.value;
      const value = load(id);
      if (ttlMs > 0) {
        if (cache.size >= PRUNE_AT) for (const [k, e] of cache) if (e.expiresAt <= now) cache.delete(k);
        cache.set(id, { value, expiresAt: now + ttlMs });
        value.catch(() => cache.delete(id));
      }
      return value;
    },
    invalidate(id) {
      cache.delete(id);
    },
  };
}
