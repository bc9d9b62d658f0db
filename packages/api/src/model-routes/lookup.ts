import { type Database, findRoute, type ModelRoute, medianLatencies } from "@llmg/db";
import type { Kysely } from "kysely";
import { createTtlCache, type TtlCache } from "../limits/ttl-cache";

interface RouteCaches {
  routes: TtlCache<ModelRoute | undefined>;
  latencies: TtlCache<Map<string, number>>;
}

// One set per database handle (per gateway), so tests running several gateways never share.
const caches = new WeakMap<Kysely<Database>, RouteCaches>();
// The `fastest` strategy's window, and how long one replica keeps its medians.
const LATENCY_WINDOW_MS = 86_400_000;
const LATENCY_TTL_MS = 30_000;

function cachesFor(db: Kysely<Database>, ttlMs: number): RouteCaches {
  let found = caches.get(db);
  if (!found) {
    found = {
      // A route is read on every call made through it: kept per replica as keys are (a change
      // applies at once here and within the key cache's TTL on other replicas).
      routes: createTtlCache(ttlMs, Date.now, (id) => {
        const [userId = "", name = ""] = id.split("\u0000");
        return findRoute(db, userId, name);
      }),
      latencies: createTtlCache(LATENCY_TTL_MS, Date.now, (id) => {
        const [userId = "", ...models] = id.split("\u0000");
        return medianLatencies(
          db,
          userId,
          models.map((m) => {
            const slash = m.indexOf("/");
            return { provider: m.slice(0, slash), model: m.slice(slash + 1) };
          }),
          new Date(Date.now() - LATENCY_WINDOW_MS),
        );
      }),
    };
    caches.set(db, found);
  }
  return found;
}

export function cachedRoute(db: Kysely<Database>, ttlMs: number, userId: string, name: string) {
  return cachesFor(db, ttlMs).routes.get(`${userId}\u0000${name}`);
}

export function forgetRoute(db: Kysely<Database>, ttlMs: number, userId: string, name: string): void {
  cachesFor(db, ttlMs).routes.invalidate(`${userId}\u0000${name}`);
}

/** Median latency (ms) of the user's successful calls per "provider/model", last 24 h. */
export function recentLatencies(
  db: Kysely<Database>,
  ttlMs: number,
  userId: string,
  models: readonly string[],
): Promise<Map<string, number>> {
  return cachesFor(db, ttlMs).latencies.get([userId, ...[...models].sort()].join("\u0000"));
}
