import type { ResponseCacheStore } from "./store";

export interface MemoryStoreOptions {
  /** Most entries held at once (default 10,000). */
  maxEntries?: number;
  /** Most bytes of values held at once, counted as UTF-16 code units × 2 (default 64 MiB). */
  maxBytes?: number;
  now?: () => number;
}

interface Entry {
  value: string;
  bytes: number;
  expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Embedded mode's cache: least recently used entries go first once either bound is reached.
 * A Map keeps insertion order, so an entry read is re-inserted to mark it recent. Expired
 * entries are dropped when met (read, or reached by eviction).
 */
export function createMemoryCacheStore(options: MemoryStoreOptions = {}): ResponseCacheStore {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let bytes = 0;

  function drop(key: string, entry: Entry) {
    entries.delete(key);
    bytes -= entry.bytes;
  }

  return {
    kind: "memory",
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        drop(key, entry);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    async set(key, value, ttlMs) {
      const size = value.length * 2;
      if (size > maxBytes) return;
      const old = entries.get(key);
      if (old) drop(key, old);
      while (entries.size > 0 && (entries.size >= maxEntries || bytes + size > maxBytes)) {
        const [oldestKey, oldest] = entries.entries().next().value as [string, Entry];
        drop(oldestKey, oldest);
      }
      entries.set(key, { value, bytes: size, expiresAt: now() + ttlMs });
      bytes += size;
    },
  };
}
