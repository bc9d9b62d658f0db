import type { Kysely } from "kysely";
import { newId } from "../ids";
import type { AlertKind, AlertScope, BudgetAlert, Database } from "../types";

export interface AlertInput {
  /** null for a team's alerts. */
  userId: string | null;
  /** Defaults to the user's own budget. */
  scope?: AlertScope;
  /** null (or left out) for the user's own budget. */
  levelId?: string | null;
  kind?: AlertKind;
  period: string;
  /** 0 for projected_exceed. */
  thresholdPercent: number;
  projectedUsd?: string | null;
  limitUsd: string;
  spentUsd: string;
  mode: string;
  webhookUrl: string | null;
  now: Date;
}

/**
 * Inserts the alert unless this level's threshold (or forecast) already fired in this period
 * (the unique expression index decides, so concurrent crossings on any number of replicas
 * yield one row). Returns the row only when this call created it.
 */
export async function insertAlertOnce(
  db: Kysely<Database>,
  input: AlertInput,
): Promise<BudgetAlert | undefined> {
  return (
    db
      .insertInto("budget_alerts")
      .values({
        id: newId("alrt"),
        user_id: input.userId,
        scope: input.scope ?? "user",
        level_id: input.levelId ?? null,
        kind: input.kind ?? "threshold",
        period: input.period,
        threshold_percent: input.thresholdPercent,
        projected_usd: input.projectedUsd ?? null,
        limit_usd: input.limitUsd,
        spent_usd: input.spentUsd,
        mode: input.mode,
        webhook_url: input.webhookUrl,
        webhook_status: input.webhookUrl ? "pending" : "none",
        webhook_next_attempt_at: input.webhookUrl ? input.now : null,
        created_at: input.now,
      })
      // No conflict target: the once-only index is on expressions (coalesce of the nullable user
      // and level), and the only other unique column is the freshly made id.
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst()
  );
}

/** The user's own budget's alerts in a period (thresholds, then the forecast), not its levels'. */
export async function listAlerts(
  db: Kysely<Database>,
  userId: string,
  period: string,
): Promise<BudgetAlert[]> {
  return db
    .selectFrom("budget_alerts")
    .selectAll()
    .where("user_id", "=", userId)
    .where("scope", "=", "user")
    .where("period", "=", period)
    .orderBy("kind", "desc")
    .orderBy("threshold_percent", "asc")
    .execute();
}

/**
 * Names one level's alerts. Keys and teams are named by their id alone; a tag or a run is the
 * user's own, so it needs the user too.
 */
export type AlertLevelRef =
  | { scope: "user"; userId: string }
  | { scope: "key" | "team"; levelId: string }
  | { scope: "tag" | "run"; levelId: string; userId: string };

function levelAlerts(db: Kysely<Database>, level: AlertLevelRef, period: string) {
  let query = db
    .selectFrom("budget_alerts")
    .selectAll()
    .where("scope", "=", level.scope)
    .where("period", "=", period);
  if (level.scope === "user") return query.where("user_id", "=", level.userId).where("level_id", "is", null);
  query = query.where("level_id", "=", level.levelId);
  if (level.scope === "tag" || level.scope === "run") query = query.where("user_id", "=", level.userId);
  return query;
}

/** A level's alerts in a period: thresholds ascending, then the forecast. */
export async function listLevelAlerts(
  db: Kysely<Database>,
  level: AlertLevelRef,
  period: string,
): Promise<BudgetAlert[]> {
  return levelAlerts(db, level, period).orderBy("kind", "desc").orderBy("threshold_percent", "asc").execute();
}

/** Thresholds of a level already fired this period, for the reconciliation's catch-up. */
export async function firedLevelThresholds(
  db: Kysely<Database>,
  level: AlertLevelRef,
  period: string,
): Promise<number[]> {
  const rows = await levelAlerts(db, level, period).where("kind", "=", "threshold").execute();
  return rows.map((r) => r.threshold_percent);
}

/** Whether the level's forecast alert already fired this period (the job then skips its projection). */
export async function projectedAlertFired(
  db: Kysely<Database>,
  level: AlertLevelRef,
  period: string,
): Promise<boolean> {
  const row = await levelAlerts(db, level, period).where("kind", "=", "projected_exceed").executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes up to `limit` due webhook deliveries and leases them until `leaseUntil` (a crashed
 * deliverer's lease runs out and the delivery is retried). SKIP LOCKED lets several workers
 * claim concurrently without taking the same alert.
 */
export async function claimDueWebhooks(
  db: Kysely<Database>,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<BudgetAlert[]> {
  return db
    .updateTable("budget_alerts")
    .set((eb) => ({
      webhook_next_attempt_at: leaseUntil,
      webhook_attempts: eb("webhook_attempts", "+", 1),
    }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("budget_alerts")
        .select("id")
        .where("webhook_status", "=", "pending")
        .where("webhook_next_attempt_at", "<=", now)
        .orderBy("webhook_next_attempt_at")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}

export async function recordWebhookDelivered(
  db: Kysely<Database>,
  id: string,
  status: number,
  at: Date,
): Promise<void> {
  await db
    .updateTable("budget_alerts")
    .set({
      webhook_status: "delivered",
      webhook_last_status: status,
      webhook_last_error: null,
      webhook_delivered_at: at,
      webhook_next_attempt_at: null,
    })
    .where("id", "=", id)
    .execute();
}

/** A failed attempt: retried at `retryAt`, or given up (status failed) when it is null. */
export async function recordWebhookFailure(
  db: Kysely<Database>,
  id: string,
  failure: { status: number | null; error: string; retryAt: Date | null },
): Promise<void> {
  await db
    .updateTable("budget_alerts")
    .set({
      webhook_status: failure.retryAt ? "pending" : "failed",
      webhook_last_status: failure.status,
      webhook_last_error: failure.error.slice(0, 500),
      webhook_next_attempt_at: failure.retryAt,
    })
    .where("id", "=", id)
    .execute();
}

/** The user's own thresholds already fired this period, for the reconciliation's catch-up. */
export async function firedThresholds(
  db: Kysely<Database>,
  userId: string,
  period: string,
): Promise<number[]> {
  return firedLevelThresholds(db, { scope: "user", userId }, period);
}
