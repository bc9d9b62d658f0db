import { decimalToNumber } from "@llmg/core";
import type { BudgetAlert } from "@llmg/db";
import { z } from "zod";
import type { HistoryPoint } from "../limits/history";
import { MAX_LIMIT_USD, nanoToNumber, nanoToUsd, percentOf, usdToNano } from "../limits/money";
import { PROJECTION_METHOD } from "../limits/projection";
import type { BudgetSummary } from "../limits/summary";
import { isoDate, jsonBoolean, usdAmount } from "./common";

// Money as in the pricing endpoints: a number for display and charts, `*_exact` to compute with.
const usd = (description: string, example: number) =>
  z.number().meta({ description: `USD, for display. ${description}`, example });
const usdExact = (example: string) => z.string().meta({ description: "USD, exact decimal string", example });

const webhookStatusSchema = z.enum(["pending", "delivered", "failed"]);

export const budgetAlertSchema = z
  .object({
    id: z.string(),
    period: z.string().meta({ example: "2026-11" }),
    kind: z.enum(["threshold", "projected_exceed"]).meta({
      description:
        "threshold: the spend crossed threshold_percent of the limit; projected_exceed: the month-end projection first passed the limit (once per period)",
    }),
    threshold_percent: z.number().int().meta({ example: 80, description: "0 for projected_exceed" }),
    limit_usd: usd("The limit when it fired", 50),
    limit_usd_exact: usdExact("50"),
    spent_usd: usd("Spend that crossed the threshold", 40.0001),
    spent_usd_exact: usdExact("40.0001"),
    fired_at: isoDate,
    webhook: z
      .object({
        status: webhookStatusSchema,
        attempts: z.number().int(),
        last_status: z.number().int().nullable(),
        last_error: z.string().nullable(),
        delivered_at: isoDate.nullable(),
      })
      .nullable()
      .meta({ description: "Delivery to the webhook URL set when the alert fired; null when none was set" }),
  })
  .meta({ id: "BudgetAlert" });

export const budgetSchema = z
  .object({
    period: z.string().meta({ description: "Calendar month in UTC", example: "2026-11" }),
    period_start: isoDate,
    period_end: isoDate,
    limit_usd: usd("Monthly limit; null = unlimited", 50).nullable(),
    limit_usd_exact: usdExact("50").nullable(),
    spent_usd: usd("Recorded spend this month", 12.5),
    spent_usd_exact: usdExact("12.5"),
    reserved_usd: usd("Held for calls in flight right now", 0.02),
    reserved_usd_exact: usdExact("0.02"),
    remaining_usd: usd("limit - spent - reserved, at least 0; null without a limit", 37.48).nullable(),
    remaining_usd_exact: usdExact("37.48").nullable(),
    percent_used: z.number().nullable().meta({ description: "spent / limit × 100", example: 25 }),
    days_in_month: z.number().int(),
    days_elapsed: z.number().int().meta({ description: "Days of the month begun, today included" }),
    days_left: z.number().int().meta({ description: "Whole days after today" }),
    average_daily_spend_usd: usd("Over the projection window", 1.25),
    average_daily_spend_usd_exact: usdExact("1.25"),
    projected_month_end_usd: usd("See projection_method", 38.75),
    projected_month_end_usd_exact: usdExact("38.75"),
    projection_method: z.literal(PROJECTION_METHOD).meta({
      description:
        "Spend recorded this month plus the average daily spend of the last 7 days (today and the 6 before, reaching into the previous month if needed; never before the account existed; at least one day) times the time left in the month.",
    }),
    projection_window_days: z.number().meta({ description: "Length of the averaging window in days" }),
    projected_exhaustion_date: z.string().nullable().meta({
      description:
        "UTC date the limit is reached at the average daily spend; the day it was reached when already exceeded; null without a limit or when not reached this month",
      example: "2026-11-28",
    }),
    status: z.enum(["ok", "warning", "exceeded"]).meta({
      description: "exceeded: spent ≥ limit; warning: spent ≥ 80 % of it or projected above it",
    }),
    mode: z
      .enum(["hard", "soft"])
      .meta({ description: "hard refuses calls past the limit (402); soft only alerts" }),
    thresholds: z.array(z.number().int()).meta({ example: [50, 80, 100] }),
    webhook_url: z.string().nullable(),
    webhook_secret_set: z.boolean(),
    alerts: z.array(budgetAlertSchema).meta({ description: "Alerts fired this period" }),
  })
  .meta({ id: "Budget" });

export const budgetUpdateSchema = budgetSchema
  .extend({
    webhook_secret: z.string().optional().meta({
      description:
        "The HMAC-SHA256 signing secret, in this answer only: when a webhook URL is first set or rotate_webhook_secret is true",
    }),
  })
  .meta({ id: "BudgetUpdate" });

/** An http(s) URL (the egress policy is checked separately, it needs a DNS lookup). */
export const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

/** A monthly limit (or cap): within what the counters can hold exactly (see money.ts). */
export const limitUsd = usdAmount.refine(
  (v) => usdToNano(v, "down") <= BigInt(MAX_LIMIT_USD) * 1_000_000_000n,
  `must be at most ${MAX_LIMIT_USD}`,
);

/** Alert thresholds in percent of a limit: at most 10, stored ascending without repeats. */
export const thresholdList = z
  .array(z.number().int().min(1).max(1000))
  .max(10)
  .transform((list) => [...new Set(list)].sort((a, b) => a - b));

export const budgetUpdateInput = z
  .object({
    limit_usd: limitUsd.nullable().optional().meta({ description: "Monthly limit in USD; null = unlimited" }),
    thresholds: thresholdList
      .optional()
      .meta({ description: "Alert thresholds in percent of the limit (default 50, 80, 100)" }),
    webhook_url: httpUrl.nullable().optional().meta({
      description:
        "Alerts are POSTed here as signed JSON; null removes it. Must be, and resolve to, a public address unless the operator lists the host in LLMG_EGRESS_ALLOW (else 400 egress_denied)",
    }),
    mode: z.enum(["hard", "soft"]).optional(),
    rotate_webhook_secret: jsonBoolean.optional(),
  })
  .meta({ id: "BudgetUpdateInput" });

export const budgetHistoryInput = z.object({
  months: z.coerce.number().int().min(1).max(36).default(12),
  granularity: z.enum(["day", "month"]).default("month"),
});

export const budgetHistorySchema = z
  .object({
    granularity: z.enum(["day", "month"]),
    months: z.number().int(),
    points: z.array(
      z.object({
        period: z.string().meta({ example: "2026-11" }),
        start: isoDate,
        spent_usd: usd("Recorded spend in the period", 3.2),
        spent_usd_exact: usdExact("3.2"),
        requests: z.number().int(),
        cumulative_usd: usd("Month-to-date at the end of the period", 12.5),
        cumulative_usd_exact: usdExact("12.5"),
        limit_usd: usd("Monthly limit in force at the end of the period", 50).nullable(),
        limit_usd_exact: usdExact("50").nullable(),
        percent_of_limit: z.number().nullable().meta({ description: "cumulative / limit × 100" }),
      }),
    ),
  })
  .meta({ id: "BudgetHistory" });

const num = decimalToNumber;

function toAlertDto(alert: BudgetAlert): z.infer<typeof budgetAlertSchema> {
  return {
    id: alert.id,
    period: alert.period,
    kind: alert.kind,
    threshold_percent: alert.threshold_percent,
    limit_usd: num(alert.limit_usd),
    limit_usd_exact: alert.limit_usd,
    spent_usd: num(alert.spent_usd),
    spent_usd_exact: alert.spent_usd,
    fired_at: alert.created_at.toISOString(),
    webhook:
      alert.webhook_status === "none"
        ? null
        : {
            status: alert.webhook_status,
            attempts: alert.webhook_attempts,
            last_status: alert.webhook_last_status,
            last_error: alert.webhook_last_error,
            delivered_at: alert.webhook_delivered_at?.toISOString() ?? null,
          },
  };
}

export function toBudgetDto(summary: BudgetSummary): z.infer<typeof budgetSchema> {
  const { settings, projection: p } = summary;
  const exact = (nano: bigint | null) => (nano === null ? null : nanoToUsd(nano));
  const display = (nano: bigint | null) => (nano === null ? null : nanoToNumber(nano));
  return {
    period: summary.period,
    period_start: new Date(p.monthStart).toISOString(),
    period_end: new Date(summary.periodEnd).toISOString(),
    limit_usd: settings.limitUsd === null ? null : num(settings.limitUsd),
    limit_usd_exact: settings.limitUsd,
    spent_usd: num(summary.spentUsd),
    spent_usd_exact: summary.spentUsd,
    reserved_usd: nanoToNumber(summary.reservedNano),
    reserved_usd_exact: nanoToUsd(summary.reservedNano),
    remaining_usd: display(p.remainingNano),
    remaining_usd_exact: exact(p.remainingNano),
    percent_used: settings.limitNano === null ? null : percentOf(p.spentNano, settings.limitNano),
    days_in_month: p.daysInMonth,
    days_elapsed: p.daysElapsed,
    days_left: p.daysLeft,
    average_daily_spend_usd: nanoToNumber(p.averageDailyNano),
    average_daily_spend_usd_exact: nanoToUsd(p.averageDailyNano),
    projected_month_end_usd: nanoToNumber(p.projectedNano),
    projected_month_end_usd_exact: nanoToUsd(p.projectedNano),
    projection_method: PROJECTION_METHOD,
    projection_window_days: Math.round(p.windowDays * 1000) / 1000,
    projected_exhaustion_date: p.exhaustionDate,
    status: p.status,
    mode: settings.mode,
    thresholds: settings.thresholds,
    webhook_url: settings.webhookUrl,
    webhook_secret_set: settings.webhookSecretSealed !== null,
    alerts: summary.alerts.map(toAlertDto),
  };
}

export function toHistoryPointDto(
  point: HistoryPoint,
): z.infer<typeof budgetHistorySchema>["points"][number] {
  return {
    period: point.period,
    start: new Date(point.start).toISOString(),
    spent_usd: num(point.spentUsd),
    spent_usd_exact: point.spentUsd,
    requests: point.requests,
    cumulative_usd: num(point.cumulativeUsd),
    cumulative_usd_exact: point.cumulativeUsd,
    limit_usd: point.limitUsd === null ? null : num(point.limitUsd),
    limit_usd_exact: point.limitUsd,
    percent_of_limit: point.percentOfLimit,
  };
}
