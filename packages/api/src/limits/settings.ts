import { normalizeDecimal } from "@llmg/core";
import {
  type BudgetSettingsRow,
  type Database,
  findBudgetSettings,
  listTagBudgets,
  type TagBudget,
} from "@llmg/db";
import type { Kysely } from "kysely";
import { homeOf } from "./home";
import { MAX_SAFE_NANO, usdToNano } from "./money";
import { createTtlCache, type TtlCache } from "./ttl-cache";

export type BudgetMode = "hard" | "soft";

export const DEFAULT_THRESHOLDS: readonly number[] = [50, 80, 100];

export interface BudgetSettings {
  userId: string;
  /** Where the user's counters live in Redis (see home.ts). */
  home: string;
  /** users.monthly_budget_usd as stored; null = unlimited. */
  limitUsd: string | null;
  /** The limit in nano-USD, rounded down (never above what the user set). */
  limitNano: bigint | null;
  /** The mode enforced: always hard while an admin's cap is set (a soft limit caps nothing). */
  mode: BudgetMode;
  /** users.budget_cap_usd: the highest limit the user may set; null = no cap. */
  capUsd: string | null;
  thresholds: number[];
  webhookUrl: string | null;
  webhookSecretSealed: string | null;
  /** The user's own rate limits (a key's tighter ones come with the principal). */
  userRpm: number | null;
  userTpm: number | null;
  userCreatedAt: Date;
  /** Monthly budgets of the user's tags, in nano-USD rounded down, by tag. */
  tagBudgets: ReadonlyMap<string, bigint>;
}

/** A stored limit in nano-USD, rounded down; past what a counter holds exactly it is as good as unlimited. */
export function limitToNano(usd: string): bigint {
  const nano = usdToNano(usd, "down");
  if (nano > MAX_SAFE_NANO) return MAX_SAFE_NANO;
  return nano;
}

export function toSettings(row: BudgetSettingsRow, tags: readonly TagBudget[] = []): BudgetSettings {
  return {
    userId: row.user_id,
    home: homeOf(row.user_id, row.counter_home),
    limitUsd: row.monthly_budget_usd === null ? null : normalizeDecimal(row.monthly_budget_usd),
    // An admin may have set more than a counter holds exactly; past that it is as good as unlimited.
    limitNano: row.monthly_budget_usd === null ? null : limitToNano(row.monthly_budget_usd),
    mode: row.budget_cap_usd !== null ? "hard" : (row.mode ?? "hard"),
    capUsd: row.budget_cap_usd === null ? null : normalizeDecimal(row.budget_cap_usd),
    thresholds: row.thresholds ?? [...DEFAULT_THRESHOLDS],
    webhookUrl: row.webhook_url,
    webhookSecretSealed: row.webhook_secret,
    userRpm: row.rate_limit_rpm,
    userTpm: row.rate_limit_tpm,
    userCreatedAt: row.user_created_at,
    tagBudgets: new Map(tags.map((t) => [t.tag, limitToNano(String(t.monthly_budget_usd))])),
  };
}

/** A user's settings by user id; invalidated after PUT /api/budget and tag budget changes. */
export type SettingsCache = TtlCache<BudgetSettings | undefined>;

/**
 * Budget settings are read on every chat call, so each replica keeps them for `ttlMs` (the key
 * cache's TTL: a change made on another replica applies within it, as a key revocation does).
 * Concurrent misses share one query.
 */
export function createSettingsCache(db: Kysely<Database>, ttlMs: number, clock: () => number): SettingsCache {
  return createTtlCache(ttlMs, clock, (userId) =>
    Promise.all([findBudgetSettings(db, userId), listTagBudgets(db, userId)]).then(([row, tags]) =>
      row ? toSettings(row, tags) : undefined,
    ),
  );
}
