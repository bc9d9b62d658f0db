import { addDecimals } from "@llmg/core";
import { type BudgetAlert, type Database, listAlerts } from "@llmg/db";
import type { Kysely } from "kysely";
import { readMeasures } from "../analytics/measures";
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

/** Where one budget's figures come from: its daily spend, its calls in flight, its alerts. */
export interface SummarySources {
  /** The projection's window never starts before this instant (the owner's creation). */
  trackingStart: number;
  spendBuckets(from: Date, to: Date): Promise<{ bucket: Date; spent: string }[]>;
  reservedNano(): Promise<bigint>;
  alerts(period: string): Promise<BudgetAlert[]>;
}

/**
 * A budget's summary for this month (a user's, or a team's read as one). Spent comes from the
 * recorded usage rows (durable, and what history and invoices agree with); reserved from the
 * live counters (calls in flight right now).
 */
export async function summarize(
  limits: Limits,
  settings: BudgetSettings,
  sources: SummarySources,
): Promise<BudgetSummary> {
  const now = limits.now();
  const start = monthStart(now);
  const { trackingStart } = sources;
  const from = Math.min(start, dayStart(windowStartFor(now, trackingStart)));
  const [buckets, reservedNano, alerts] = await Promise.all([
    sources.spendBuckets(new Date(from), new Date(now + 1)),
    sources.reservedNano().catch(() => 0n),
    sources.alerts(monthKey(now)),
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

/** The user's own budget summary (GET /api/budget). */
export function budgetSummary(
  deps: { db: Kysely<Database>; limits: Limits },
  settings: BudgetSettings,
): Promise<BudgetSummary> {
  const { db, limits } = deps;
  return summarize(limits, settings, {
    trackingStart: settings.userCreatedAt.getTime(),
    // The analytics reader (rollups for closed hours, raw rows for the tail, in one snapshot):
    // as exact as summing the raw rows, without reading weeks of them on every page load.
    spendBuckets: async (from, to) => {
      const rows = await readMeasures(db, { userId: settings.userId, from, to, grouping: { bucket: "day" } });
      return rows.flatMap((r) => (r.bucket ? [{ bucket: r.bucket, spent: r.cost }] : []));
    },
    reservedNano: () => limits.reservedNano(settings.userId),
    alerts: (period) => listAlerts(db, settings.userId, period),
  });
}
