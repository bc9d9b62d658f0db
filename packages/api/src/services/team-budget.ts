import { addDecimals, normalizeDecimal } from "@llmg/core";
import { type Database, levelSpendBuckets, listLevelAlerts, type Team } from "@llmg/db";
import type { Kysely } from "kysely";
import type { Limits } from "../limits/limiter";
import { usdToNano } from "../limits/money";
import { addMonths, dayStart, monthKey, monthStart } from "../limits/period";
import { project, windowStartFor } from "../limits/projection";
import { type BudgetSettings, limitToNano } from "../limits/settings";
import type { BudgetSummary } from "../limits/summary";

/**
 * A team's budget settings read as a user's, so the team's summary goes through the same
 * projection and formatter as GET /api/budget. A team level always refuses past its limit
 * (hard); its projection window never starts before the team existed.
 */
function teamAsSettings(team: Team): BudgetSettings {
  const limitUsd = team.monthly_budget_usd === null ? null : normalizeDecimal(team.monthly_budget_usd);
  return {
    userId: team.id,
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
export async function teamBudgetSummary(
  deps: { db: Kysely<Database>; limits: Limits },
  team: Team,
  callerId: string,
): Promise<BudgetSummary> {
  const { db, limits } = deps;
  const settings = teamAsSettings(team);
  const now = limits.now();
  const start = monthStart(now);
  const trackingStart = team.created_at.getTime();
  const from = Math.min(start, dayStart(windowStartFor(now, trackingStart)));
  const [buckets, reservedNano, alerts] = await Promise.all([
    levelSpendBuckets(db, { scope: "team", teamId: team.id }, new Date(from), new Date(now + 1)),
    limits.reservedForLevel({ scope: "team", id: team.id, userId: callerId }).catch(() => 0n),
    listLevelAlerts(db, { scope: "team", levelId: team.id }, monthKey(now)),
  ]);
  const projection = project({
    now,
    limitNano: settings.limitNano,
    reservedNano,
    trackingStart,
    days: buckets.map((b) => ({ day: b.bucket.getTime(), spentNano: usdToNano(b.spent, "up") })),
  });
  const monthSpend = buckets.filter((b) => b.bucket.getTime() >= start).map((b) => b.spent);
  return {
    now,
    period: monthKey(now),
    periodEnd: addMonths(now, 1),
    settings,
    spentUsd: addDecimals("0", ...monthSpend),
    reservedNano,
    projection,
    alerts,
  };
}
