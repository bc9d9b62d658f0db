import {
  budgetedKeysWithSpendSince,
  budgetedTeamsWithSpendSince,
  type Database,
  findBudgetSettings,
  firedLevelThresholds,
  firedThresholds,
  type LevelSpendScope,
  levelSpendBuckets,
  levelSpendSince,
  spendBuckets,
  spendByUserSince,
  spendSplitSince,
  tagBudgetsWithSpendSince,
} from "@llmg/db";
import type { Kysely } from "kysely";
import { fireAlerts, reachedThresholds } from "./alerts";
import { fireForecastAlert } from "./forecast";
import { alertLevelRef, fireLevelAlerts, levelWebhookUrl } from "./level-alerts";
import { type BudgetLevel, periodKey, periodStart } from "./levels";
import type { Limits } from "./limiter";
import { usdToNano } from "./money";
import { monthKey, monthStart } from "./period";
import { DEFAULT_THRESHOLDS, limitToNano } from "./settings";
import type { ReconcileAction } from "./store";

export type ReconcileReport = Record<ReconcileAction, number> & {
  users: number;
  /** Team, key and tag budgets looked at. */
  levels: number;
  /** Threshold alerts fired by this run (every level). */
  alerts: number;
  /** projected_exceed alerts fired by this run (every level). */
  forecasts: number;
};

/**
 * Levels of each kind looked at per run, most spent first: bounds one run's work whatever the
 * deployment's size (the rest are looked at as their spend grows, or by a later run).
 */
export const LEVELS_PER_RUN = 1_000;

const dailySpend = (buckets: { bucket: Date; spent: string }[]) =>
  buckets.map((b) => ({ day: b.bucket.getTime(), spentNano: usdToNano(b.spent, "up") }));

/**
 * The periodic job behind the counters: brings each user's month counter in line with the
 * usage rows (a settle lost to a Redis failover, a cost booked by a process that died before
 * writing its row, rounding), fires any threshold alert a crossing missed (e.g. the limit
 * was lowered, or the process died between booking and alerting) for the user and for every
 * team, key and tag budget that spent this month, and fires the forecast alert of each monthly
 * level the projection first says will pass its limit. Idempotent; several replicas may run it
 * at once (each alert is inserted once, by the unique index).
 */
export async function reconcileBudgets(deps: {
  db: Kysely<Database>;
  limits: Limits;
  levelsPerRun?: number;
}): Promise<ReconcileReport> {
  const { db, limits } = deps;
  const now = limits.now();
  const month = monthKey(now);
  const from = new Date(monthStart(now));
  const report: ReconcileReport = {
    users: 0,
    levels: 0,
    seeded: 0,
    raised: 0,
    lowered: 0,
    kept: 0,
    alerts: 0,
    forecasts: 0,
  };
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
    const fired = new Set(reached.length > 0 ? await firedThresholds(db, userId, month) : []);
    const missed = reached.filter((t) => !fired.has(t));
    if (missed.length > 0) {
      const alerts = await fireAlerts(db, {
        settings,
        period: month,
        thresholds: missed,
        spentNano,
        now: new Date(now),
      });
      report.alerts += alerts.length;
    }
    const forecast = await fireForecastAlert(
      db,
      {
        scope: "user",
        levelId: null,
        userId,
        limitNano: settings.limitNano,
        mode: settings.mode,
        webhookUrl: settings.webhookUrl,
        trackingStart: settings.userCreatedAt.getTime(),
        days: async (a, b) => dailySpend(await spendBuckets(db, userId, a, b, "day")),
      },
      now,
    );
    if (forecast) report.forecasts++;
  }
  await reconcileLevels(db, limits, now, deps.levelsPerRun ?? LEVELS_PER_RUN, report);
  return report;
}

interface LevelToCheck {
  level: BudgetLevel;
  spend: LevelSpendScope;
  /** For the projection's window. */
  createdAt: Date;
}

/** The levels besides the user's that spent this month (bounded per kind). */
async function levelsToCheck(db: Kysely<Database>, now: number, limit: number): Promise<LevelToCheck[]> {
  const from = new Date(monthStart(now));
  const [teams, keys, tags] = await Promise.all([
    budgetedTeamsWithSpendSince(db, from, limit),
    budgetedKeysWithSpendSince(db, from, limit),
    tagBudgetsWithSpendSince(db, from, limit),
  ]);
  // Keys and tags alert at their user's thresholds (they have none of their own).
  const userThresholds = new Map<string, readonly number[]>();
  const thresholdsOf = async (userId: string) => {
    let t = userThresholds.get(userId);
    if (!t) {
      t = (await findBudgetSettings(db, userId))?.thresholds ?? DEFAULT_THRESHOLDS;
      userThresholds.set(userId, t);
    }
    return t;
  };
  const out: LevelToCheck[] = [];
  for (const t of teams) {
    out.push({
      level: {
        scope: "team",
        id: t.id,
        userId: "",
        period: "month",
        limitNano: limitToNano(t.monthly_budget_usd),
        thresholds: t.thresholds,
        webhookUrl: t.webhook_url,
      },
      spend: { scope: "team", teamId: t.id },
      createdAt: t.created_at,
    });
  }
  for (const k of keys) {
    out.push({
      level: {
        scope: "key",
        id: k.id,
        userId: k.user_id,
        period: k.budget_period,
        limitNano: limitToNano(k.budget_usd),
        thresholds: await thresholdsOf(k.user_id),
        webhookUrl: null,
      },
      spend: { scope: "key", keyId: k.id },
      createdAt: k.created_at,
    });
  }
  for (const t of tags) {
    out.push({
      level: {
        scope: "tag",
        id: t.tag,
        userId: t.user_id,
        period: "month",
        limitNano: limitToNano(t.monthly_budget_usd),
        thresholds: await thresholdsOf(t.user_id),
        webhookUrl: null,
      },
      spend: { scope: "tag", userId: t.user_id, tag: t.tag },
      // A tag's spend is its user's: the window may reach back to the user's creation.
      createdAt: t.user_created_at,
    });
  }
  return out;
}

async function reconcileLevels(
  db: Kysely<Database>,
  limits: Limits,
  now: number,
  limit: number,
  report: ReconcileReport,
): Promise<void> {
  for (const { level, spend, createdAt } of await levelsToCheck(db, now, limit)) {
    report.levels++;
    const period = periodKey(level.period, now);
    const start = periodStart(level.period, now);
    // A counter below its rows lost a settle (e.g. to a Redis failover): raised, so the level
    // holds. One above them is left: the rows of calls booked a moment ago are still coming.
    const raised = await limits.raiseLevel(level, async (before) =>
      usdToNano(await levelSpendSince(db, spend, start === null ? null : new Date(start), before), "up"),
    );
    if (raised) report.raised++;
    const spentNano = usdToNano(
      await levelSpendSince(db, spend, start === null ? null : new Date(start)),
      "up",
    );
    const reached = reachedThresholds(spentNano, level.limitNano, [...level.thresholds]);
    if (reached.length > 0) {
      const fired = new Set(await firedLevelThresholds(db, alertLevelRef(level), period));
      const missed = reached.filter((t) => !fired.has(t));
      if (missed.length > 0) {
        const alerts = await fireLevelAlerts(db, {
          level,
          period,
          thresholds: missed,
          spentNano,
          now: new Date(now),
        });
        report.alerts += alerts.length;
      }
    }
    // A forecast is a month-end projection: for the monthly levels only.
    if (level.period !== "month") continue;
    const forecast = await fireForecastAlert(
      db,
      {
        scope: level.scope,
        levelId: level.id,
        userId: level.scope === "team" ? null : level.userId,
        limitNano: level.limitNano,
        mode: "hard",
        webhookUrl: await levelWebhookUrl(db, level),
        trackingStart: createdAt.getTime(),
        days: async (a, b) => dailySpend(await levelSpendBuckets(db, spend, a, b)),
      },
      now,
    );
    if (forecast) report.forecasts++;
  }
}
