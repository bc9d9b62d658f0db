import type { BudgetPeriod } from "@llmg/db";
import { dayKey, dayStart, monthKey, monthStart } from "./period";

/**
 * The budget levels a call is held against besides its user's own monthly budget (which the
 * limiter keeps as before): its key's budget, its key's team, each of its tags that carries a
 * budget, and its agent run's envelope. Every level that applies is checked and reserved in
 * the same atomic step as the user's budget and rate limits (see ADMIT_SCRIPT), and settled to
 * the real cost in the same step as the user's.
 */
export type LevelScope = "user" | "key" | "team" | "tag" | "run";

export interface BudgetLevel {
  scope: Exclude<LevelScope, "user">;
  /** The key's id, the team's id, the tag, the run id. */
  id: string;
  /** The user of the call: tag budgets and runs are the user's own. */
  userId: string;
  period: BudgetPeriod;
  /** Always refusing: only the user's own budget has a soft mode. */
  limitNano: bigint;
  /** Alert thresholds in percent of the limit (empty: none), and where they are sent. */
  thresholds: readonly number[];
  webhookUrl: string | null;
}

/** The level's counter for the period containing `ms`: "YYYY-MM", "YYYY-MM-DD" or "total". */
export function periodKey(period: BudgetPeriod, ms: number): string {
  if (period === "month") return monthKey(ms);
  if (period === "day") return dayKey(ms);
  return "total";
}

/** Start of the period containing `ms`; null for "total" (the level's whole life). */
export function periodStart(period: BudgetPeriod, ms: number): number | null {
  if (period === "month") return monthStart(ms);
  if (period === "day") return dayStart(ms);
  return null;
}

/**
 * The counter's name inside the store. A team's counters are shared by its members, so they
 * are named by the team; the others belong to the call's user and live with the user's.
 */
export function levelName(level: Pick<BudgetLevel, "scope" | "id">): string {
  return `${level.scope}:${level.id}`;
}

/**
 * A counter's period key moved to the period containing `ms` (a call settled after midnight
 * books to the new day, as the user's counter books to the month it settles in). The key's own
 * shape says its kind: "YYYY-MM", "YYYY-MM-DD", "total", or "" for a calls level.
 */
export function periodAt(period: string, ms: number): string {
  if (period.length === 7) return monthKey(ms);
  if (period.length === 10) return dayKey(ms);
  return period;
}
