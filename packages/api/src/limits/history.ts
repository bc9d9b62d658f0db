import { addDecimals, normalizeDecimal } from "@llmg/core";
import { type BudgetChange, type Database, listBudgetChanges, spendBuckets } from "@llmg/db";
import type { Kysely } from "kysely";
import { percentOf, usdToNano } from "./money";
import { addMonths, DAY_MS, dayKey, monthKey } from "./period";

export type Granularity = "day" | "month";

export interface HistoryPoint {
  period: string;
  start: number;
  spentUsd: string;
  requests: number;
  /** Month-to-date at the end of the period (equals spentUsd for months). */
  cumulativeUsd: string;
  /** The monthly limit in force at the end of the period (now, for the current one). */
  limitUsd: string | null;
  percentOfLimit: number | null;
}

/** The limit in force at `at`: the last change before it, else what preceded the first change. */
export function limitAt(changes: BudgetChange[], at: number, current: string | null): string | null {
  if (changes.length === 0) return current;
  let limit = changes[0]?.previous_limit_usd ?? null;
  for (const change of changes) {
    if (change.changed_at.getTime() > at) break;
    limit = change.limit_usd;
  }
  return limit === null ? null : normalizeDecimal(limit);
}

/**
 * Spend per day or month over the last `months` calendar months (current included), every
 * period present (zero when nothing was spent) so a chart needs no gap filling.
 */
export async function budgetHistory(
  db: Kysely<Database>,
  input: {
    userId: string;
    months: number;
    granularity: Granularity;
    now: number;
    currentLimitUsd: string | null;
  },
): Promise<HistoryPoint[]> {
  const { now, granularity } = input;
  const from = addMonths(now, -(input.months - 1));
  const [buckets, changes] = await Promise.all([
    spendBuckets(db, input.userId, new Date(from), new Date(now + 1), granularity),
    listBudgetChanges(db, input.userId),
  ]);
  const byStart = new Map(buckets.map((b) => [b.bucket.getTime(), b]));
  const points: HistoryPoint[] = [];
  let month = "";
  let cumulative = "0";
  for (let start = from; start <= now; ) {
    const end = granularity === "month" ? addMonths(start, 1) : start + DAY_MS;
    const bucket = byStart.get(start);
    const spent = normalizeDecimal(bucket?.spent ?? "0");
    if (monthKey(start) !== month) {
      month = monthKey(start);
      cumulative = "0";
    }
    cumulative = addDecimals(cumulative, spent);
    const limit = limitAt(changes, Math.min(end - 1, now), input.currentLimitUsd);
    points.push({
      period: granularity === "month" ? monthKey(start) : dayKey(start),
      start,
      spentUsd: spent,
      requests: bucket?.requests ?? 0,
      cumulativeUsd: cumulative,
      limitUsd: limit,
      percentOfLimit:
        limit === null ? null : percentOf(usdToNano(cumulative, "up"), usdToNano(limit, "down")),
    });
    start = end;
  }
  return points;
}
