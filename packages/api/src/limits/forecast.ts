import { type AlertLevelRef, type BudgetAlert, type Database, projectedAlertFired } from "@llmg/db";
import type { Kysely } from "kysely";
import { recordAlertOnce } from "./level-alerts";
import type { LevelScope } from "./levels";
import { dayStart, monthKey, monthStart } from "./period";
import { type DailySpend, project, windowStartFor } from "./projection";

export interface ForecastTarget {
  scope: LevelScope;
  /** null for the user's own budget. */
  levelId: string | null;
  /** The level's user; null for a team. */
  userId: string | null;
  /** The level's monthly limit. */
  limitNano: bigint;
  mode: string;
  webhookUrl: string | null;
  /** The projection's window never reaches back before this (the level's creation). */
  trackingStart: number;
  /** Recorded spend per UTC day in [from, to). */
  days: (from: Date, to: Date) => Promise<DailySpend[]>;
}

function refOf(t: Pick<ForecastTarget, "scope" | "levelId" | "userId">): AlertLevelRef {
  if (t.scope === "user" || t.levelId === null) return { scope: "user", userId: t.userId ?? "" };
  if (t.scope === "team" || t.scope === "key") return { scope: t.scope, levelId: t.levelId };
  return { scope: t.scope, levelId: t.levelId, userId: t.userId ?? "" };
}

/**
 * The forecast alert of one monthly level: fired (once per month, the unique index decides
 * across replicas) when the month-end projection (see projection.ts, the one GET /api/budget
 * shows) passes the limit while the spend has not reached it yet. Once the limit is reached
 * the thresholds tell it (a 100 % alert), so a forecast would be no news.
 */
export async function fireForecastAlert(
  db: Kysely<Database>,
  target: ForecastTarget,
  now: number,
): Promise<BudgetAlert | undefined> {
  const period = monthKey(now);
  if (await projectedAlertFired(db, refOf(target), period)) return undefined;
  const from = Math.min(monthStart(now), dayStart(windowStartFor(now, target.trackingStart)));
  const days = await target.days(new Date(from), new Date(now + 1));
  const projection = project({
    now,
    limitNano: target.limitNano,
    reservedNano: 0n,
    trackingStart: target.trackingStart,
    days,
  });
  if (projection.spentNano >= target.limitNano || projection.projectedNano <= target.limitNano)
    return undefined;
  return recordAlertOnce(db, {
    scope: target.scope,
    levelId: target.levelId,
    userId: target.userId,
    kind: "projected_exceed",
    period,
    thresholdPercent: 0,
    limitNano: target.limitNano,
    spentNano: projection.spentNano,
    projectedNano: projection.projectedNano,
    mode: target.mode,
    webhookUrl: target.webhookUrl,
    now: new Date(now),
  });
}
