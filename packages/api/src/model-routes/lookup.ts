import { type Database, findRoute, type ModelRoute } from "@llmg/db";
import type { Kysely } from "kysely";
import { histogramQuantile } from "../analytics/histogram";
import { readMeasures } from "../analytics/measures";
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
      // Read from the usage rollups (and the rows they have not taken in yet), as the latency
      // charts are: one grouped query per user, whatever the traffic.
      latencies: createTtlCache(LATENCY_TTL_MS, Date.now, async (userId) => {
        const to = new Date();
        const rows = await readMeasures(db, {
          userId,
          from: new Date(to.getTime() - LATENCY_WINDOW_MS),
          to,
          grouping: { provider: true, model: true },
        });
        const medians = new Map<string, number>();
        for (const row of rows) {
          const p50 = histogramQuantile(row.latency_hist, 0.5, row.latency_max);
          if (p50 !== null) medians.set(`${row.provider}/${row.model}`, p50);
        }
        return medians;
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

/** Median latency (ms) of the user's calls per "provider/model" over the last 24 h. */
export function recentLatencies(
  db: Kysely<Database>,
  ttlMs: number,
  userId: string,
): Promise<Map<string, number>> {
  return cachesFor(db, ttlMs).latencies.get(userId);
}
