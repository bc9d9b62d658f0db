import { decimalToNumber, normalizeDecimal } from "@llmg/core";
import type { ApiKey } from "@llmg/db";
import { z } from "zod";
import { maxBigint, nanoToUsd, percentOf, usdToNano } from "../limits/money";
import { isoDate } from "./common";
import { apiKeySchema, toApiKeyDto } from "./users";

const usdExact = (example: string) => z.string().meta({ description: "USD, exact decimal string", example });

export const keyBudgetStatusSchema = z
  .object({
    period: z.string().meta({
      description: 'The budget\'s current period: "YYYY-MM-DD" (day), "YYYY-MM" (month) or "total"',
      example: "2026-12",
    }),
    period_start: isoDate.nullable().meta({ description: "null for total (the key's whole life)" }),
    limit_usd_exact: usdExact("25"),
    spent_usd: z
      .number()
      .meta({ description: "USD, for display. Recorded spend of the key's calls this period" }),
    spent_usd_exact: usdExact("3.2"),
    reserved_usd_exact: usdExact("0.01"),
    remaining_usd_exact: usdExact("21.79"),
    percent_used: z.number().nullable().meta({ description: "spent / limit × 100; null for a limit of 0" }),
  })
  .meta({ id: "KeyBudgetStatus" });

export const apiKeyDetailSchema = apiKeySchema
  .extend({
    budget: keyBudgetStatusSchema
      .nullable()
      .meta({ description: "Where the key's own budget stands; null without one" }),
  })
  .meta({ id: "ApiKeyDetail" });

export interface KeyBudgetStatus {
  period: string;
  periodStart: number | null;
  spentUsd: string;
  reservedNano: bigint;
}

export function toApiKeyDetailDto(
  key: ApiKey,
  status: KeyBudgetStatus | null,
): z.infer<typeof apiKeyDetailSchema> {
  if (!status || key.budget_usd === null) return { ...toApiKeyDto(key), budget: null };
  const limit = normalizeDecimal(key.budget_usd);
  const limitNano = usdToNano(limit, "down");
  const spent = normalizeDecimal(status.spentUsd);
  const spentNano = usdToNano(spent, "up");
  return {
    ...toApiKeyDto(key),
    budget: {
      period: status.period,
      period_start: status.periodStart === null ? null : new Date(status.periodStart).toISOString(),
      limit_usd_exact: limit,
      spent_usd: decimalToNumber(spent),
      spent_usd_exact: spent,
      reserved_usd_exact: nanoToUsd(status.reservedNano),
      remaining_usd_exact: nanoToUsd(maxBigint(0n, limitNano - spentNano - status.reservedNano)),
      percent_used: limitNano === 0n ? null : percentOf(spentNano, limitNano),
    },
  };
}
