import { CAPABILITIES, PROVIDER_IDS } from "@llmg/core";
import { z } from "zod";
import { pageInput } from "../envelope";

/**
 * Query inputs of the catalog and pricing endpoints. Numbers are plain z.number(): the REST
 * adapter coerces query strings itself, and a plain number keeps the typed client's input typed.
 */

export const MAX_TOKENS = 100_000_000;
export const MAX_REQUESTS = 1_000_000_000;
export const MAX_COMPARE = 20;

const tokens = (description: string, example: number) =>
  z.number().int().min(0).max(MAX_TOKENS).meta({ description, example });

/**
 * A repeatable query parameter (`?x=a&x=b`) whose values may also be comma lists (`?x=a,b`).
 * No per-element checks: those would report the field as `x.0`; the object-level checks
 * report `x` itself.
 */
const listParam = (description: string, example: string) =>
  z
    .array(z.string())
    .max(100)
    .meta({ description, example: [example] });

export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((value) => value.split(","))
    .map((part) => part.trim())
    .filter(Boolean);
}

const CAPABILITY_SET: ReadonlySet<string> = new Set(CAPABILITIES);

export const modelSorts = ["name", "input_price", "output_price", "context_window"] as const;
export type ModelSort = (typeof modelSorts)[number];

export const modelListInput = pageInput
  .extend({
    provider: z.enum(PROVIDER_IDS).meta({ description: "Only this provider's models" }).optional(),
    capability: listParam("Models having every one of these capabilities", "tools").optional(),
    min_context: z
      .number()
      .int()
      .min(0)
      .max(MAX_TOKENS)
      .meta({ description: "Minimum context window in tokens", example: 128000 })
      .optional(),
    max_input_price: z
      .number()
      .min(0)
      .max(1_000_000)
      .meta({ description: "Highest input price in USD per 1M tokens, inclusive", example: 1 })
      .optional(),
    q: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .meta({ description: "Case-insensitive search in id, name and aliases", example: "mini" })
      .optional(),
    sort: z.enum(modelSorts).meta({ description: "Sort key; without it: provider, then id" }).optional(),
    order: z.enum(["asc", "desc"]).default("asc"),
  })
  .superRefine((input, ctx) => {
    const unknown = splitList(input.capability).filter((c) => !CAPABILITY_SET.has(c));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["capability"],
        message: `unknown capability ${unknown.map((c) => `"${c}"`).join(", ")}; expected one of ${CAPABILITIES.join(", ")}`,
      });
    }
  });

export type ModelListInput = z.infer<typeof modelListInput>;

const workloadShape = {
  input_tokens: tokens("Prompt tokens per request, cached ones included (OpenAI's convention)", 1_000_000),
  output_tokens: tokens("Completion tokens per request, reasoning included", 1_000_000),
  cached_tokens: tokens("How many of input_tokens are cache reads", 0).default(0),
};

/** Subsets must fit in their totals; the field named is the one that overflows. */
function checkSubsets(
  input: { input_tokens: number; output_tokens: number; cached_tokens: number } & {
    cache_write_tokens?: number;
    reasoning_tokens?: number;
  },
  ctx: z.RefinementCtx,
): void {
  const writes = input.cache_write_tokens ?? 0;
  if (input.cached_tokens > input.input_tokens) {
    ctx.addIssue({ code: "custom", path: ["cached_tokens"], message: "must not exceed input_tokens" });
  } else if (input.cached_tokens + writes > input.input_tokens) {
    ctx.addIssue({
      code: "custom",
      path: ["cache_write_tokens"],
      message: "cached_tokens + cache_write_tokens must not exceed input_tokens",
    });
  }
  if ((input.reasoning_tokens ?? 0) > input.output_tokens) {
    ctx.addIssue({ code: "custom", path: ["reasoning_tokens"], message: "must not exceed output_tokens" });
  }
}

export const calculatorInput = z
  .object({
    provider: z
      .enum(PROVIDER_IDS)
      .meta({
        description: "Provider id; optional when model is `provider/model` or a name only one provider has",
        example: "openai",
      })
      .optional(),
    model: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .meta({ description: "Model id or alias", example: "gpt-4o-mini" }),
    ...workloadShape,
    cache_write_tokens: tokens("How many of input_tokens are written to the cache", 0).default(0),
    reasoning_tokens: tokens("How many of output_tokens are reasoning", 0).default(0),
    requests: z.number().int().min(1).max(MAX_REQUESTS).default(1).meta({ example: 1000 }),
  })
  .superRefine(checkSubsets);

export type CalculatorInput = z.infer<typeof calculatorInput>;

export const compareInput = z
  .object({
    models: listParam(
      `Up to ${MAX_COMPARE} models as provider/model (comma-separated or repeated); duplicates are removed`,
      "openai/gpt-4o-mini,anthropic/claude-sonnet-4-5",
    ),
    ...workloadShape,
  })
  .superRefine((input, ctx) => {
    const names = new Set(splitList(input.models));
    if (names.size === 0) {
      ctx.addIssue({ code: "custom", path: ["models"], message: "name at least one model" });
    } else if (names.size > MAX_COMPARE) {
      ctx.addIssue({
        code: "custom",
        path: ["models"],
        message: `at most ${MAX_COMPARE} models, got ${names.size}`,
      });
    }
    checkSubsets(input, ctx);
  });

export type CompareInput = z.infer<typeof compareInput>;
