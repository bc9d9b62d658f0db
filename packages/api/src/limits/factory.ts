import type { Database } from "@llmg/db";
import type { Cluster, Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { AppConfig } from "../config";
import type { Logger } from "../services";
import type { LeaseOptions } from "./leases";
import { createLimits, type Limits } from "./limiter";
import { createMemoryStore } from "./memory-store";
import { createRedisStore } from "./redis-store";

/** The reservation TTL: configured, or the longest a provider call may take plus a minute. */
export function reservationTtlMs(config: AppConfig): number {
  return (
    config.LLMG_RESERVATION_TTL_MS ??
    config.LLMG_PROVIDER_TIMEOUT_MS * (config.LLMG_PROVIDER_MAX_RETRIES + 1) + 60_000
  );
}

export interface LimitsDeps {
  db: Kysely<Database>;
  config: AppConfig;
  logger: Logger;
  /** Production mode: counters shared by every replica. Absent: in-process (embedded mode). */
  redis?: Redis | Cluster | undefined;
  clock?: () => number;
  /** Lease tuning, or false to admit every call through Redis (see leases.ts). */
  leases?: Partial<LeaseOptions> | false;
}

/** Redis-backed limits when Redis is configured, in-process ones otherwise. */
export function createLimitsFor(deps: LimitsDeps): Limits {
  const { config } = deps;
  const store = deps.redis
    ? createRedisStore(deps.redis, config.LLMG_REDIS_PREFIX)
    : createMemoryStore(deps.clock ?? Date.now);
  return createLimits({
    db: deps.db,
    store,
    logger: deps.logger,
    reservationTtlMs: reservationTtlMs(config),
    settingsTtlMs: config.LLMG_KEY_CACHE_TTL_MS,
    failOpen: config.LLMG_LIMITS_FAIL_OPEN,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.leases !== undefined ? { leases: deps.leases } : {}),
  });
}
