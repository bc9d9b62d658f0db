import type { UserPrincipal } from "../auth/authenticator";
import { type BudgetLevel, levelName, periodKey } from "./levels";
import { type BudgetSettings, limitToNano } from "./settings";
import type { LevelCounter } from "./store";
import type { TeamSettings } from "./team-settings";

/** What a call says about itself that levels hang on: its tags and its agent run. */
export interface CallAttribution {
  tags: readonly string[];
  runId: string | null;
  /** The run's envelope as this call sent it (exact decimal); null = none. */
  runBudgetUsd: string | null;
}

export interface CallLevels {
  /** The budget levels that apply, in the order they are checked: key, team, tags, run. */
  levels: BudgetLevel[];
  /** Their counters for the period containing the call, then the key's calls-in-flight cap. */
  counters: LevelCounter[];
  /** Whether counters end with the calls level (max_parallel). */
  parallel: boolean;
}

/**
 * The levels a call is held against besides its user's budget. Only levels with a limit take
 * part: counting a level nobody limits would cost every call a counter for nothing, and its
 * spend is in the usage rows anyway.
 */
export function callLevels(
  principal: UserPrincipal,
  settings: BudgetSettings,
  team: TeamSettings | undefined,
  attribution: CallAttribution | undefined,
  now: number,
): CallLevels {
  const { userId } = principal;
  const levels: BudgetLevel[] = [];
  const userAlerts = { thresholds: settings.thresholds, webhookUrl: settings.webhookUrl };
  if (principal.budgetUsd !== null) {
    levels.push({
      scope: "key",
      id: principal.keyId,
      userId,
      period: principal.budgetPeriod ?? "month",
      limitNano: limitToNano(principal.budgetUsd),
      ...userAlerts,
    });
  }
  if (team && team.limitNano !== null) {
    levels.push({
      scope: "team",
      id: team.teamId,
      userId,
      period: "month",
      limitNano: team.limitNano,
      thresholds: team.thresholds,
      webhookUrl: team.webhookUrl,
    });
  }
  for (const tag of attribution?.tags ?? []) {
    const limitNano = settings.tagBudgets.get(tag);
    if (limitNano !== undefined) {
      levels.push({ scope: "tag", id: tag, userId, period: "month", limitNano, ...userAlerts });
    }
  }
  if (attribution?.runId && attribution.runBudgetUsd !== null) {
    // A run's envelope is its own: no alerts, the caller holds the run to it.
    levels.push({
      scope: "run",
      id: attribution.runId,
      userId,
      period: "total",
      limitNano: limitToNano(attribution.runBudgetUsd),
      thresholds: [],
      webhookUrl: null,
    });
  }
  const counters: LevelCounter[] = levels.map((level) => ({
    name: levelName(level),
    period: periodKey(level.period, now),
    limit: level.limitNano,
  }));
  const parallel = principal.maxParallel !== null;
  if (principal.maxParallel !== null) {
    counters.push({
      name: `par:${principal.keyId}`,
      period: "",
      limit: BigInt(principal.maxParallel),
      calls: true,
    });
  }
  return { levels, counters, parallel };
}
