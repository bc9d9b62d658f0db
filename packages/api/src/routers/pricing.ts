import { PROVIDER_IDS } from "@llmg/core";
import { z } from "zod";
import { ok } from "../envelope";
import { priceListSchema } from "../schemas/catalog";
import { comparisonSchema, costCalculationSchema } from "../schemas/catalog-costs";
import { calculatorInput, compareInput, MAX_COMPARE } from "../schemas/catalog-inputs";
import { calculateCost } from "../services/pricing-calculator";
import { catalogOf } from "../services/pricing-catalog";
import { compareModels } from "../services/pricing-compare";
import { modelPriceDto } from "../services/pricing-rates";
import { resolveModelParam } from "../services/pricing-resolve";
import { router, userProcedure } from "../trpc";

const TOKEN_CONVENTION =
  "Tokens follow OpenAI's convention: `input_tokens` counts every prompt token, cached ones " +
  "included, and `cached_tokens` says how many of them were cache reads (billed once, at the " +
  "cache-read rate).";

export const pricingRouter = router({
  list: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/pricing",
        tags: ["pricing"],
        summary: "Price list",
        description:
          "Every model's rates in USD per 1M tokens (`per_1m`, for people) and per token (`per_token`, " +
          "exact decimal strings, for programs), with the prompt-size tiers that replace them.",
        protect: true,
      },
    })
    .input(
      z.object({
        provider: z
          .enum(PROVIDER_IDS)
          .meta({ description: "Only this provider's models", example: "anthropic" })
          .optional(),
      }),
    )
    .output(ok(priceListSchema))
    .query(({ ctx, input }) => {
      const catalog = catalogOf(ctx);
      const models = catalog.models(input.provider).map((m) => ({
        provider: m.provider,
        model: m.id,
        name: m.displayName,
        ...modelPriceDto(m.prices),
      }));
      const source = catalog.source;
      return {
        success: true as const,
        data: { currency: "USD" as const, price_date: source.date, source: source.name, models },
      };
    }),

  calculator: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/pricing/calculator",
        tags: ["pricing"],
        summary: "Cost of a request",
        description:
          `The exact cost of one request and of \`requests\` identical ones, with the breakdown by kind of token. ${TOKEN_CONVENTION} ` +
          "Costs are JSON numbers in USD for display plus exact decimal strings (`*_exact`).",
        protect: true,
      },
    })
    .input(calculatorInput)
    .output(ok(costCalculationSchema))
    .query(({ ctx, input }) => {
      const provider = input.provider === undefined ? {} : { provider: input.provider };
      const model = resolveModelParam(catalogOf(ctx), input.model, { ...provider, field: "model" });
      return { success: true as const, data: calculateCost(model, input) };
    }),

  compare: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/pricing/compare",
        tags: ["pricing"],
        summary: "Compare models on one workload",
        description:
          `Prices the same request on up to ${MAX_COMPARE} models, cheapest first, with each total's ratio ` +
          `to the cheapest. ${TOKEN_CONVENTION}`,
        protect: true,
      },
    })
    .input(compareInput)
    .output(ok(comparisonSchema))
    .query(({ ctx, input }) => ({ success: true as const, data: compareModels(catalogOf(ctx), input) })),
});
