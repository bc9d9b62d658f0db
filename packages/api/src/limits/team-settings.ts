import { normalizeDecimal } from "@llmg/core";
import { type Database, findTeam } from "@llmg/db";
import type { Kysely } from "kysely";
import { limitToNano } from "./settings";

/** What the limiter holds a team's calls to. */
export interface TeamSettings {
  teamId: string;
  limitUsd: string | null;
  limitNano: bigint | null;
  rpm: number | null;
  tpm: number | null;
  thresholds: number[];
  webhookUrl: string | null;
}

export interface TeamSettingsCache {
  get(teamId: string): Promise<TeamSettings | undefined>;
  invalidate(teamId: string): void;
}

/**
 * A team's settings, read on every call of its keys: kept per replica for `ttlMs` like a
 * user's (a change made on another replica applies within it). Concurrent misses share a query.
 */
export function createTeamSettingsCache(
  db: Kysely<Database>,
  ttlMs: number,
  clock: () => number,
): TeamSettingsCache {
  const cache = new Map<string, { value: Promise<TeamSettings | undefined>; expiresAt: number }>();
  return {
    get(teamId) {
      const now = clock();
      const hit = cache.get(teamId);
      if (hit && hit.expiresAt > now) return hit.value;
      const value = findTeam(db, teamId).then((team) =>
        team
          ? {
              teamId: team.id,
              limitUsd: team.monthly_budget_usd === null ? null : normalizeDecimal(team.monthly_budget_usd),
              limitNano: team.monthly_budget_usd === null ? null : limitToNano(team.monthly_budget_usd),
              rpm: team.rate_limit_rpm,
              tpm: team.rate_limit_tpm,
              thresholds: team.thresholds,
              webhookUrl: team.webhook_url,
            }
          : undefined,
      );
      if (ttlMs > 0) {
        cache.set(teamId, { value, expiresAt: now + ttlMs });
        value.catch(() => cache.delete(teamId));
      }
      return value;
    },
    invalidate(teamId) {
      cache.delete(teamId);
    },
  };
}
