import type { Kysely } from "kysely";
import { newId } from "../ids";
import type { BudgetAlert, Database } from "../types";

export interface AlertInput {
  userId: string;
  period: string;
  thresholdPercent: number;
  limitUsd: string;
  spentUsd: string;
  mode: string;
  webhookUrl: string | null;
  now: Date;
}

/**
 * Inserts the alert unless this threshold already fired in this period (the unique index
 * decides, so concurrent crossings on any number of replicas yield one row). Returns the row
 * only when this call created it.
 */
export async function insertAlertOnce(
  db: Kysely<Database>,
  input: AlertInput,
): Promise<BudgetAlert | undefined> {
  return db
    .insertInto("budget_alerts")
    .values({
      id: newId("alrt"),
      user_id: input.userId,
      period: input.period,
      threshold_percent: input.thresholdPercent,
      limit_usd: input.limitUsd,
      spent_usd: input.spentUsd,
      mode: input.mode,
      webhook_url: input.webhookUrl,
      webhook_status: input.webhookUrl ? "pending" : "none",
      webhook_next_attempt_at: input.webhookUrl ? input.now : null,
      created_at: input.now,
    })
    .onConflict((oc) => oc.columns(["user_id", "period", "threshold_percent"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function listAlerts(
  db: Kysely<Database>,
  userId: string,
  period: string,
): Promise<BudgetAlert[]> {
  return db
    .selectFrom("budget_alerts")
    .selectAll()
    .where("user_id", "=", userId)
    .where("period", "=", period)
    .orderBy("threshold_percent", "asc")
    .execute();
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

/** Thresholds already fired this period, for the reconciliation's catch-up. */
export async function firedThresholds(
  db: Kysely<Database>,
  userId: string,
  period: string,
): Promise<number[]> {
  const rows = await db
    .selectFrom("budget_alerts")
    .select("threshold_percent")
    .where("user_id", "=", userId)
    .where("period", "=", period)
    .execute();
  return rows.map((r) => r.threshold_percent);
}
