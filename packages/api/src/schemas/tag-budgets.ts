import { decimalToNumber, normalizeDecimal } from "@llmg/core";
import type { TagBudget } from "@llmg/db";
import { z } from "zod";
import { parseTag, TAG_RULE } from "../chat/attribution";
import { maxBigint, nanoToNumber, nanoToUsd, percentOf, usdToNano } from "../limits/money";
import { limitUsd } from "./budget";
import { isoDate, text } from "./common";

/** Tag budgets one user may keep: each is checked on every call carrying the tag. */
export const MAX_TAG_BUDGETS = 100;

/**
 * A tag in a path, by the rule call tags follow (stored lowercase). REST path segments arrive
 * still percent-encoded, and a tag may hold `/` (sent as %2F); `%` is outside the tag charset,
 * so decoding cannot turn one valid tag into another.
 */
export const tagParam = text()
  .max(400)
  .transform((value, ctx) => {
    let raw = value;
    if (raw.includes("%")) {
      try {
        raw = decodeURIComponent(raw);
      } catch {
        raw = "";
      }
    }
    const tag = parseTag(raw);
    if (tag === null) {
      ctx.addIssue({ code: "custom", message: TAG_RULE.replace("each tag", "must be a tag:") });
      return z.NEVER;
    }
    return tag;
  })
  .meta({
    description: "The tag, as calls send it (case-insensitive; `/` as %2F in a path)",
    example: "feature:search",
  });

export const tagBudgetInput = z.object({
  tag: tagParam,
  monthly_budget_usd: limitUsd.meta({
    description:
      "USD per UTC month for the calls carrying this tag (a number or a decimal string, at most 10 decimals; 0 refuses every such call)",
    example: "20",
  }),
});

const usd = (description: string, example: number) =>
  z.number().meta({ description: `USD, for display. ${description}`, example });
const usdExact = (example: string) => z.string().meta({ description: "USD, exact decimal string", example });

export const tagBudgetSchema = z
  .object({
    tag: z.string().meta({ example: "feature:search" }),
    period: z.string().meta({ description: "Calendar month in UTC", example: "2026-12" }),
    period_start: isoDate,
    period_end: isoDate,
    limit_usd: usd("Monthly limit of the tag", 20),
    limit_usd_exact: usdExact("20"),
    spent_usd: usd("Recorded spend this month of your calls carrying the tag", 4.5),
    spent_usd_exact: usdExact("4.5"),
    reserved_usd: usd("Held for such calls in flight right now", 0.01),
    reserved_usd_exact: usdExact("0.01"),
    remaining_usd: usd("limit - spent - reserved, at least 0", 15.49),
    remaining_usd_exact: usdExact("15.49"),
    percent_used: z.number().nullable().meta({ description: "spent / limit × 100; null for a limit of 0" }),
    created_at: isoDate,
    updated_at: isoDate,
  })
  .meta({ id: "TagBudget" });

export interface TagBudgetView {
  budget: TagBudget;
  /** "YYYY-MM" and the month's bounds (ms). */
  period: string;
  periodStart: number;
  periodEnd: number;
  spentUsd: string;
  reservedNano: bigint;
}

export function toTagBudgetDto(view: TagBudgetView): z.infer<typeof tagBudgetSchema> {
  const limitExact = normalizeDecimal(view.budget.monthly_budget_usd);
  const limitNano = usdToNano(limitExact, "down");
  const spentNano = usdToNano(view.spentUsd, "up");
  const remainingNano = maxBigint(0n, limitNano - spentNano - view.reservedNano);
  const spentExact = normalizeDecimal(view.spentUsd);
  return {
    tag: view.budget.tag,
    period: view.period,
    period_start: new Date(view.periodStart).toISOString(),
    period_end: new Date(view.periodEnd).toISOString(),
    limit_usd: decimalToNumber(limitExact),
    limit_usd_exact: limitExact,
    spent_usd: decimalToNumber(spentExact),
    spent_usd_exact: spentExact,
    reserved_usd: nanoToNumber(view.reservedNano),
    reserved_usd_exact: nanoToUsd(view.reservedNano),
    remaining_usd: nanoToNumber(remainingNano),
    remaining_usd_exact: nanoToUsd(remainingNano),
    percent_used: limitNano === 0n ? null : percentOf(spentNano, limitNano),
    created_at: view.budget.created_at.toISOString(),
    updated_at: view.budget.updated_at.toISOString(),
  };
}
