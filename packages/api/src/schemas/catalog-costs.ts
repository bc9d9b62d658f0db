import { z } from "zod";
import { providerIdSchema } from "./catalog";

/** Output schemas of the cost calculator and the model comparison. */

const usd = (example: number) => z.number().meta({ description: "USD, for display", example });
const usdExact = (example: string) => z.string().meta({ description: "USD, exact decimal string", example });

const costLineSchema = z.object({
  tokens: z.number().int().meta({ example: 1_000_000 }),
  rate_per_token: usdExact("0.00000015"),
  rate_per_1m: usd(0.15),
  cost: usd(0.15),
  cost_exact: usdExact("0.15"),
});

export const costTotalsSchema = z
  .object({
    input_cost: usd(0.15).meta({
      description: "Prompt tokens: uncached input, cache reads and cache writes",
    }),
    input_cost_exact: usdExact("0.15"),
    output_cost: usd(0.6).meta({ description: "Completion tokens, reasoning included" }),
    output_cost_exact: usdExact("0.6"),
    total_cost: usd(0.75),
    total_cost_exact: usdExact("0.75"),
  })
  .meta({ id: "CostTotals" });

export const costCalculationSchema = z
  .object({
    provider: providerIdSchema,
    model: z.string().meta({ example: "gpt-4o-mini" }),
    name: z.string().meta({ example: "GPT-4o Mini" }),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cached_tokens: z.number().int(),
    cache_write_tokens: z.number().int(),
    reasoning_tokens: z.number().int(),
    requests: z.number().int(),
    tier: z
      .number()
      .int()
      .nullable()
      .meta({ description: "Prompt-size threshold of the price tier applied; null for the base rates" }),
    per_request: costTotalsSchema.extend({
      breakdown: z
        .object({
          input: costLineSchema.meta({ description: "Uncached prompt tokens" }),
          cache_read: costLineSchema,
          cache_write: costLineSchema,
          output: costLineSchema.meta({ description: "Completion tokens other than reasoning" }),
          reasoning: costLineSchema,
        })
        .meta({ description: "Each token billed exactly once, at the rate of its kind" }),
    }),
    total: costTotalsSchema.meta({ description: "per_request × requests, exact" }),
    price_date: z.string().nullable().meta({ example: "2026-07-24" }),
  })
  .meta({ id: "CostCalculation" });

export const comparisonSchema = z
  .object({
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cached_tokens: z.number().int(),
    cheapest: z.string().meta({ example: "openai/gpt-4o-mini" }),
    models: z.array(
      costTotalsSchema.extend({
        rank: z.number().int().meta({ example: 1 }),
        provider: providerIdSchema,
        model: z.string().meta({ example: "gpt-4o-mini" }),
        name: z.string(),
        ratio_to_cheapest: z.number().nullable().meta({
          description:
            "total_cost / the cheapest total_cost (1 for the cheapest); null when the cheapest is free",
          example: 1,
        }),
      }),
    ),
  })
  .meta({ id: "ModelComparison" });

export type CostCalculationDto = z.infer<typeof costCalculationSchema>;
export type CostTotalsDto = z.infer<typeof costTotalsSchema>;
export type ComparisonDto = z.infer<typeof comparisonSchema>;
