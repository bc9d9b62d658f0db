import { type BudgetAlert, type Database, insertAlertOnce, recordActivity } from "@llmg/db";
import type { Kysely } from "kysely";
import { nanoToUsd, percentOf } from "./money";
import type { BudgetSettings } from "./settings";

/** Thresholds whose amount lies in (before, after]: each is crossed by exactly one booking. */
export function crossedThresholds(
  before: bigint,
  after: bigint,
  limit: bigint,
  thresholds: number[],
): number[] {
  return thresholds.filter((t) => before * 100n < limit * BigInt(t) && limit * BigInt(t) <= after * 100n);
}

/** Thresholds the spend has reached, for the reconciliation's catch-up. */
export function reachedThresholds(spent: bigint, limit: bigint, thresholds: number[]): number[] {
  return thresholds.filter((t) => limit * BigInt(t) <= spent * 100n);
}

export interface FireAlertsInput {
  settings: BudgetSettings;
  period: string;
  thresholds: number[];
  spentNano: bigint;
  now: Date;
}

/**
 * Records the alerts (once per threshold and period: the unique index makes concurrent calls
 * on any replica safe) with their activity_log entry in the same transaction. Webhooks are
 * not sent here: the row is queued (webhook_status pending) for the delivery job, so the
 * chat path never waits on a user's endpoint.
 */
export async function fireAlerts(db: Kysely<Database>, input: FireAlertsInput): Promise<BudgetAlert[]> {
  const { settings } = input;
  if (settings.limitUsd === null || settings.limitNano === null || input.thresholds.length === 0) return [];
  const limitUsd = settings.limitUsd;
  const limitNano = settings.limitNano;
  const spentUsd = nanoToUsd(input.spentNano);
  return db.transaction().execute(async (trx) => {
    const fired: BudgetAlert[] = [];
    for (const threshold of input.thresholds) {
      const alert = await insertAlertOnce(trx, {
        userId: settings.userId,
        period: input.period,
        thresholdPercent: threshold,
        limitUsd,
        spentUsd,
        mode: settings.mode,
        webhookUrl: settings.webhookUrl,
        now: input.now,
      });
      if (!alert) continue;
      fired.push(alert);
      await recordActivity(trx, {
        userId: settings.userId,
        actor: "system",
        action: "budget.alert",
        targetType: "budget_alert",
        targetId: alert.id,
        details: {
          period: input.period,
          threshold_percent: threshold,
          limit_usd: limitUsd,
          spent_usd: spentUsd,
          percent_used: percentOf(input.spentNano, limitNano),
          mode: settings.mode,
          webhook: settings.webhookUrl !== null,
        },
      });
    }
    return fired;
  });
}
