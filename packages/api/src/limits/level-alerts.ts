import {
  type AlertLevelRef,
  type BudgetAlert,
  type Database,
  findBudgetSettings,
  findTeamWebhook,
  insertAlertOnce,
  recordActivity,
} from "@llmg/db";
import type { Kysely } from "kysely";
import type { BudgetLevel, LevelScope } from "./levels";
import { nanoToUsd, percentOf } from "./money";

export interface LevelAlertInput {
  level: BudgetLevel;
  /** The level's period key ("YYYY-MM", "YYYY-MM-DD", "total"). */
  period: string;
  /** Thresholds crossed by one booking (see crossedThresholds). */
  thresholds: number[];
  spentNano: bigint;
  now: Date;
}

/** Associated data binding a team's sealed webhook secret to the team. */
export const teamWebhookSecretAad = (teamId: string) => `team-webhook:${teamId}`;

/** The reference the alert rows use for a level (a team's alerts belong to no user). */
export function alertLevelRef(level: Pick<BudgetLevel, "scope" | "id" | "userId">): AlertLevelRef {
  if (level.scope === "team" || level.scope === "key") return { scope: level.scope, levelId: level.id };
  return { scope: level.scope, levelId: level.id, userId: level.userId };
}

/**
 * Where a level's alerts are sent, read when the alert fires (as for the user's budget): a
 * team's own webhook; the user's webhook for the user's keys, tags and runs, which are theirs.
 */
export async function levelWebhookUrl(
  db: Kysely<Database>,
  level: Pick<BudgetLevel, "scope" | "id" | "userId">,
): Promise<string | null> {
  if (level.scope === "team") return (await findTeamWebhook(db, level.id))?.webhook_url ?? null;
  return (await findBudgetSettings(db, level.userId))?.webhook_url ?? null;
}

export interface RecordAlertInput {
  scope: LevelScope;
  /** null for the user's own budget. */
  levelId: string | null;
  /** null for a team. */
  userId: string | null;
  kind: "threshold" | "projected_exceed";
  period: string;
  /** 0 for projected_exceed. */
  thresholdPercent: number;
  limitNano: bigint;
  spentNano: bigint;
  projectedNano?: bigint;
  mode: string;
  webhookUrl: string | null;
  now: Date;
}

/**
 * Inserts one alert once (the unique index decides across replicas) with its activity_log entry
 * in the same transaction; the webhook is queued (pending) for the delivery job.
 */
export async function recordAlertOnce(
  db: Kysely<Database>,
  input: RecordAlertInput,
): Promise<BudgetAlert | undefined> {
  const limitUsd = nanoToUsd(input.limitNano);
  const spentUsd = nanoToUsd(input.spentNano);
  const projectedUsd = input.projectedNano === undefined ? null : nanoToUsd(input.projectedNano);
  return db.transaction().execute(async (trx) => {
    const alert = await insertAlertOnce(trx, {
      userId: input.userId,
      scope: input.scope,
      levelId: input.levelId,
      kind: input.kind,
      period: input.period,
      thresholdPercent: input.thresholdPercent,
      projectedUsd,
      limitUsd,
      spentUsd,
      mode: input.mode,
      webhookUrl: input.webhookUrl,
      now: input.now,
    });
    if (!alert) return undefined;
    await recordActivity(trx, {
      userId: input.userId,
      actor: "system",
      action: input.kind === "threshold" ? "budget.alert" : "budget.forecast_alert",
      targetType: "budget_alert",
      targetId: alert.id,
      details: {
        scope: input.scope,
        ...(input.levelId !== null ? { level_id: input.levelId } : {}),
        kind: input.kind,
        period: input.period,
        ...(input.kind === "threshold" ? { threshold_percent: input.thresholdPercent } : {}),
        limit_usd: limitUsd,
        spent_usd: spentUsd,
        ...(projectedUsd !== null ? { projected_usd: projectedUsd } : {}),
        percent_used: percentOf(input.spentNano, input.limitNano),
        mode: input.mode,
        webhook: input.webhookUrl !== null,
      },
    });
    return alert;
  });
}

/**
 * Threshold alerts of a level other than the user's: recorded once per level, period and
 * threshold, queued for the webhook job like the user's. A team's alerts go to the team's
 * webhook (signed with the team's secret) and belong to no user; a key's, tag's or run's go to
 * the user's webhook. Levels always refuse past their limit, so their mode is "hard".
 */
export async function fireLevelAlerts(db: Kysely<Database>, input: LevelAlertInput): Promise<BudgetAlert[]> {
  const { level } = input;
  if (input.thresholds.length === 0) return [];
  const webhookUrl = await levelWebhookUrl(db, level);
  const fired: BudgetAlert[] = [];
  // One transaction per threshold: a crossing of 50 and 80 at once records both even when a
  // concurrent replica already recorded one of them.
  for (const threshold of input.thresholds) {
    const alert = await recordAlertOnce(db, {
      scope: level.scope,
      levelId: level.id,
      userId: level.scope === "team" ? null : level.userId,
      kind: "threshold",
      period: input.period,
      thresholdPercent: threshold,
      limitNano: level.limitNano,
      spentNano: input.spentNano,
      mode: "hard",
      webhookUrl,
      now: input.now,
    });
    if (alert) fired.push(alert);
  }
  return fired;
}
