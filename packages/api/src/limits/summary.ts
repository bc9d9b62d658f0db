import { addDecimals } from "@llmg/core";
import { type BudgetAlert, type Database, listAlerts, spendBuckets } from "@llmg/db";
import type { Kysely } from "kysely";
import type { Limits } from "./limiter";
import { usdToNano } from "./money";
import { addMonths, dayStart, monthKey, monthStart } from "./period";
import { type Projection, project, windowStartFor } from "./projection";
import type { BudgetSettings } from "./settings";

export interface BudgetSummary {
  now: number;
  period: string;
  periodEnd: number;
  settings: BudgetSettings;
  /** Exact recorded spend this month. */
  spentUsd: string;
  reservedNano: bigint;
  projection: Projection;
  alerts: BudgetAlert[];
}

/**
 * Spent comes from the recorded usage rows (durable, and what history and invoices agree
 * with); reserved from the live counters (calls in flight right now).
 */
export async function budgetSummary(
  deps: { db: Kysely<Database>; limits: Limits },
  settings: BudgetSettings,
): Promise<BudgetSummary> {
  const { db, limits } = deps;
  const now = limits.now();
  const start = monthStart(now);
  const trackingStart = settings.userCreatedAt.getTime();
  const from = Math.min(start, dayStart(windowStartFor(now, trackingStart)));
  const [buckets, reservedNano, alerts] = await Promise.all([
    spendBuckets(db, settings.userId, new Date(from), new Date(now + 1), "day"),
    limits.reservedNano(settings.userId).catch(() => 0n),
    listAlerts(db, settings.userId, monthKey(now)),
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
