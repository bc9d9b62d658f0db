import { normalizeDecimal } from "@llmg/core";
import { type Database, findTeam } from "@llmg/db";
import type { Kysely } from "kysely";
import { limitToNano } from "./settings";
import { createTtlCache, type TtlCache } from "./ttl-cache";

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

export type TeamSettingsCache = TtlCache<TeamSettings | undefined>;

/**
 * A team's settings, read on every call of its keys: kept per replica for the same TTL as a
 * user's (a change made on another replica applies within it).
 */
export function createTeamSettingsCache(
  db: Kysely<Database>,
  ttlMs: number,
  clock: () => number,
): TeamSettingsCache {
  return createTtlCache(ttlMs, clock, async (teamId) => {
    const team = await findTeam(db, teamId);
    if (!team) return undefined;
    return {
      teamId: team.id,
      limitUsd: team.monthly_budget_usd === null ? null : normalizeDecimal(team.monthly_budget_usd),
      limitNano: team.monthly_budget_usd === null ? null : limitToNano(team.monthly_budget_usd),
      rpm: team.rate_limit_rpm,
      tpm: team.rate_limit_tpm,
      thresholds: team.thresholds,
      webhookUrl: team.webhook_url,
    };
  });
}
