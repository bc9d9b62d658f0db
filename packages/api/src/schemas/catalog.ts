import { CAPABILITIES, PROVIDER_IDS } from "@llmg/core";
import { z } from "zod";
import { parameterRulesSchema } from "./param-rules";

/** Output schemas of the provider, model and price-list endpoints. */

const ymd = z.string().meta({ format: "date", example: "2026-07-24" });
const perToken = (example: string) =>
  z.string().meta({ description: "USD per token, exact decimal string", example });
const per1m = (example: number) =>
  z.number().meta({ description: "USD per 1M tokens, for display (use per_token for math)", example });

export const providerIdSchema = z.enum(PROVIDER_IDS).meta({ example: "openai" });
export const capabilitySchema = z.enum(CAPABILITIES).meta({ example: "tools" });

export const priceSetSchema = z
  .object({
    per_1m: z.object({
      input: per1m(0.15),
      output: per1m(0.6),
      cache_read: per1m(0.075),
      cache_write: per1m(0.15),
      reasoning: per1m(0.6),
    }),
    per_token: z.object({
      input: perToken("0.00000015"),
      output: perToken("0.0000006"),
      cache_read: perToken("0.000000075"),
      cache_write: perToken("0.00000015"),
      reasoning: perToken("0.0000006"),
    }),
  })
  .meta({
    id: "PriceSet",
    description:
      "The rate each kind of token is billed at. A kind the provider does not price separately " +
      "shows the rate it is billed at: cache reads without a discount and cache writes without " +
      "a premium at the input rate, reasoning at the output rate.",
  });

export const priceTierSchema = priceSetSchema
  .extend({ above_tokens: z.number().int().meta({ example: 200_000 }) })
  .meta({
    id: "PriceTier",
    description: "Rates that replace the base rates for a request whose prompt exceeds above_tokens",
  });

export const priceRangeSchema = z
  .object({
    min: z.number().meta({ example: 0.1 }),
    max: z.number().meta({ example: 15 }),
    min_exact: z.string().meta({ example: "0.1" }),
    max_exact: z.string().meta({ example: "15" }),
  })
  .meta({ id: "PriceRange", description: "USD per 1M tokens across a provider's models (base rates)" });

export const providerSchema = z
  .object({
    id: providerIdSchema,
    name: z.string().meta({ example: "OpenAI" }),
    status: z.enum(["active", "deprecated"]),
    base_url: z.string().meta({ example: "https://api.openai.com/v1" }),
    docs_url: z.string(),
    pricing_url: z.string(),
    capabilities: z.array(capabilitySchema),
    model_count: z.number().int().meta({ example: 46 }),
    input_price_per_1m: priceRangeSchema.nullable(),
    output_price_per_1m: priceRangeSchema.nullable(),
  })
  .meta({ id: "Provider" });

export const modelSummarySchema = z
  .object({
    provider: providerIdSchema,
    id: z.string().meta({ example: "gpt-4o-mini" }),
    name: z.string().meta({ example: "GPT-4o Mini" }),
    aliases: z.array(z.string()).meta({ example: ["gpt-4o-mini-2024-07-18"] }),
    context_window: z
      .number()
      .int()
      .nullable()
      .meta({ description: "Maximum prompt tokens", example: 128000 }),
    max_output_tokens: z.number().int().nullable().meta({ example: 16384 }),
    capabilities: z.array(capabilitySchema),
    deprecation_date: ymd.nullable(),
    deprecated: z.boolean().meta({ description: "True once the deprecation date has passed" }),
    prices: priceSetSchema,
    tiers: z.array(priceTierSchema),
    parameter_rules: parameterRulesSchema.meta({
      description:
        "What the gateway changes in a request to this model before sending it (each change named in the x-llmg-adjusted-params answer header); empty when nothing",
    }),
  })
  .meta({ id: "ModelSummary" });

export const modelDetailSchema = modelSummarySchema
  .extend({
    source_url: z.string().nullable().meta({ description: "Where the price data says it comes from" }),
    price_date: ymd.nullable().meta({ description: "Date of the price data" }),
    origin: z.enum(["builtin", "override"]).meta({
      description: "builtin: the committed price snapshot; override: set by this gateway's operator",
    }),
    price_source: z.object({
      name: z.string().meta({ example: "litellm-model-prices.json" }),
      sha256: z.string(),
      date: ymd,
    }),
  })
  .meta({ id: "Model" });

export const providerDetailSchema = providerSchema
  .extend({ models: z.array(modelSummarySchema) })
  .meta({ id: "ProviderDetail" });

export const priceListSchema = z
  .object({
    currency: z.literal("USD"),
    price_date: ymd,
    source: z.string().meta({ example: "litellm-model-prices.json" }),
    models: z.array(
      z.object({
        provider: providerIdSchema,
        model: z.string().meta({ example: "gpt-4o-mini" }),
        name: z.string().meta({ example: "GPT-4o Mini" }),
        prices: priceSetSchema,
        tiers: z.array(priceTierSchema),
      }),
    ),
  })
  .meta({ id: "PriceList" });

export type ProviderDto = z.infer<typeof providerSchema>;
export type ModelSummaryDto = z.infer<typeof modelSummarySchema>;
export type ModelDetailDto = z.infer<typeof modelDetailSchema>;
