import type { BreakerRecord, BreakerStore } from "./breaker-store";

/** Bounds the state kept for users whose keys failed: the oldest entries go first. */
const MAX_ENTRIES = 100_000;

/**
 * Embedded mode: one process is the whole deployment, so the circuits live in its memory. Only
 * non-clean records are kept; a success deletes the record.
 */
export function createMemoryBreakerStore(clock: () => number = Date.now): BreakerStore {
  const records = new Map<string, Map<string, BreakerRecord>>();
  const keyOf = (userId: string, provider: string) => `${userId}\u0000${provider}`;

  function entry(userId: string, provider: string): Map<string, BreakerRecord> {
    const key = keyOf(userId, provider);
    let map = records.get(key);
    if (!map) {
      if (records.size >= MAX_ENTRIES) {
        const oldest = records.keys().next().value;
        if (oldest !== undefined) records.delete(oldest);
      }
      map = new Map();
      records.set(key, map);
    }
    return map;
  }

  function forget(userId: string, provider: string, credentialId: string) {
    const key = keyOf(userId, provider);
    const map = records.get(key);
    map?.delete(credentialId);
    if (map?.size === 0) records.delete(key);
  }

  return {
    shared: false,
    async read(userId, provider) {
      const map = records.get(keyOf(userId, provider));
      return { value: new Map(map ? [...map].map(([id, r]) => [id, { ...r }]) : []), now: clock() };
    },
    async failure(userId, provider, credentialId, settings) {
      const now = clock();
      const map = entry(userId, provider);
      const current = map.get(credentialId) ?? { failures: 0, openedAt: 0, probeUntil: 0 };
      const next = { ...current, failures: current.failures + 1 };
      if (next.openedAt > 0) {
        // Past the cool-down the circuit is half-open: a failure then opens it again.
        if (now >= next.openedAt + settings.cooldownMs) {
          next.openedAt = now;
          next.probeUntil = 0;
        }
      } else if (next.failures >= settings.failures) {
        next.openedAt = now;
      }
      map.set(credentialId, next);
      return { value: { ...next }, now };
    },
    async success(userId, provider, credentialId) {
      forget(userId, provider, credentialId);
    },
    async probe(userId, provider, credentialId, settings) {
      const now = clock();
      const current = records.get(keyOf(userId, provider))?.get(credentialId);
      if (!current || current.openedAt === 0) {
        return {
          value: {
            verdict: "closed",
            record: current ? { ...current } : { failures: 0, openedAt: 0, probeUntil: 0 },
          },
          now,
        };
      }
      if (now < current.openedAt + settings.cooldownMs || current.probeUntil > now) {
        return { value: { verdict: "refused", record: { ...current } }, now };
      }
      // At most one probe per cool-down: a probe whose caller died frees the circuit after it.
      current.probeUntil = now + settings.cooldownMs;
      return { value: { verdict: "probe", record: { ...current } }, now };
    },
    async release(userId, provider, credentialId) {
      const current = records.get(keyOf(userId, provider))?.get(credentialId);
      if (current) current.probeUntil = 0;
    },
  };
}
