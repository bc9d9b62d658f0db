import { decimalToNumber, normalizeDecimal } from "@llmg/core";
import type { RunTotals } from "@llmg/db";
import { z } from "zod";
import { pageInput } from "../envelope";
import { text } from "./common";
import { requestListItemSchema, requestListSchema } from "./usage";
import { runIdParam } from "./usage-inputs";

export const runInput = pageInput.extend({
  runId: runIdParam,
  order: z
    .enum(["asc", "desc"])
    .default("asc")
    .meta({ description: "By time; oldest first by default, as the run happened" }),
  cursor: text()
    .trim()
    .min(1)
    .max(500)
    .meta({ description: "pagination.next_cursor of the previous page: continues right after it" })
    .optional(),
});

const count = z.number().int();

export const runTotalsSchema = z
  .object({
    calls: count,
    successful: count,
    failed: count,
    prompt_tokens: count,
    completion_tokens: count,
    cached_tokens: count,
    reasoning_tokens: count,
    total_tokens: count.meta({ description: "prompt_tokens + completion_tokens" }),
    cost_usd: z.number().meta({ description: "USD, for display" }),
    cost_usd_exact: z.string().meta({ description: "USD, exact decimal string", example: "0.0123" }),
    first_call_at: z.string().meta({ format: "date-time" }),
    last_call_at: z.string().meta({ format: "date-time" }),
    budget_usd: z.string().nullable().meta({
      description:
        "The envelope (x-llmg-run-budget-usd) the latest call was sent with, exact; recorded, not yet enforced",
    }),
  })
  .meta({ id: "RunTotals" });

export const runSchema = z.object({
  success: z.literal(true),
  run_id: z.string(),
  totals: runTotalsSchema,
  data: z.array(requestListItemSchema),
  pagination: requestListSchema.shape.pagination,
});

export function toRunTotals(t: RunTotals): z.infer<typeof runTotalsSchema> {
  return {
    calls: t.calls,
    successful: t.successes,
    failed: t.errors,
    prompt_tokens: t.prompt_tokens,
    completion_tokens: t.completion_tokens,
    cached_tokens: t.cached_tokens,
    reasoning_tokens: t.reasoning_tokens,
    total_tokens: t.prompt_tokens + t.completion_tokens,
    cost_usd: decimalToNumber(t.total_cost),
    cost_usd_exact: normalizeDecimal(t.total_cost),
    first_call_at: t.first_at.toISOString(),
    last_call_at: t.last_at.toISOString(),
    budget_usd: t.run_budget_usd === null ? null : normalizeDecimal(t.run_budget_usd),
  };
}
