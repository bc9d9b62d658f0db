import { type Database, firedThresholds, spendByUserSince, spendSplitSince } from "@llmg/db";
import type { Kysely } from "kysely";
import { fireAlerts, reachedThresholds } from "./alerts";
import type { Limits } from "./limiter";
import { usdToNano } from "./money";
import { monthKey, monthStart } from "./period";
import type { ReconcileAction } from "./store";

export type ReconcileReport = Record<ReconcileAction, number> & { users: number; alerts: number };

/**
 * The periodic job behind the counters: brings each user's month counter in line with the
 * usage rows (a settle lost to a Redis failover, a cost booked by a process that died before
 * writing its row, rounding), and fires any threshold alert a crossing missed (e.g. the limit
 * was lowered, or the process died between booking and alerting). Idempotent.
 */
export async function reconcileBudgets(deps: {
  db: Kysely<Database>;
  limits: Limits;
}): Promise<ReconcileReport> {
  const { db, limits } = deps;
  const now = limits.now();
  const month = monthKey(now);
  const from = new Date(monthStart(now));
  const report: ReconcileReport = { users: 0, seeded: 0, raised: 0, lowered: 0, kept: 0, alerts: 0 };
  for (const { user_id: userId } of await spendByUserSince(db, from)) {
    report.users++;
    let spentNano = 0n;
    const action = await limits.reconcileUser(userId, month, async (settledBefore) => {
      const spend = await spendSplitSince(db, userId, from, settledBefore);
      spentNano = usdToNano(spend.all, "up");
      return { allNano: spentNano, settledNano: usdToNano(spend.before, "up") };
    });
    report[action]++;
    const settings = await limits.settings(userId);
    if (!settings || settings.limitNano === null) continue;
    const reached = reachedThresholds(spentNano, settings.limitNano, settings.thresholds);
    if (reached.length === 0) continue;
    const fired = new Set(await firedThresholds(db, userId, month));
    const missed = reached.filter((t) => !fired.has(t));
    if (missed.length === 0) continue;
    const alerts = await fireAlerts(db, {
      settings,
      period: month,
      thresholds: missed,
      spentNano,
      now: new Date(now),
    });
    report.alerts += alerts.length;
  }
  return report;
}
