import { normalizeDecimal } from "@llmg/core";
import { type Database, levelSpendBuckets, listLevelAlerts, type Team } from "@llmg/db";
import type { Kysely } from "kysely";
import type { Limits } from "../limits/limiter";
import { type BudgetSettings, limitToNano } from "../limits/settings";
import { type BudgetSummary, summarize } from "../limits/summary";

/**
 * A team's budget settings read as a user's, so the team's summary goes through the same
 * projection and formatter as GET /api/budget. A team level always refuses past its limit
 * (hard); its projection window never starts before the team existed.
 */
function teamAsSettings(team: Team): BudgetSettings {
  const limitUsd = team.monthly_budget_usd === null ? null : normalizeDecimal(team.monthly_budget_usd);
  return {
    userId: team.id,
    // Never read: a team's counters are found by its hash tag, not a user's home.
    home: `{team:${team.id}}`,
    limitUsd,
    limitNano: limitUsd === null ? null : limitToNano(limitUsd),
    mode: "hard",
    capUsd: team.budget_cap_usd === null ? null : normalizeDecimal(team.budget_cap_usd),
    thresholds: team.thresholds,
    webhookUrl: team.webhook_url,
    webhookSecretSealed: team.webhook_secret,
    userRpm: team.rate_limit_rpm,
    userTpm: team.rate_limit_tpm,
    userCreatedAt: team.created_at,
    tagBudgets: new Map(),
  };
}

/**
 * Spent: this UTC month's rows that counted for the team (requests.team_id, whoever made them);
 * reserved: the team counter's calls in flight, as seen by `callerId`'s replica.
 */
export function teamBudgetSummary(
  deps: { db: Kysely<Database>; limits: Limits },
  team: Team,
  callerId: string,
): Promise<BudgetSummary> {
  const { db, limits } = deps;
  return summarize(limits, teamAsSettings(team), {
    trackingStart: team.created_at.getTime(),
    spendBuckets: (from, to) => levelSpendBuckets(db, { scope: "team", teamId: team.id }, from, to),
    reservedNano: () => limits.reservedForLevel({ scope: "team", id: team.id, userId: callerId }),
    alerts: (period) => listLevelAlerts(db, { scope: "team", levelId: team.id }, period),
  });
}
