import { z } from "zod";
import { isDecimalString } from "../pricing/decimal";
import { PROVIDER_IDS } from "../provider-ids";
import { CAPABILITIES, type ModelInfo, type PriceSource } from "./types";

/** Shape of data/models.generated.json, checked when the catalog is first built. */

export type StoredModel = Omit<ModelInfo, "priceDate" | "origin">;

export interface StoredCatalog {
  readonly generatedBy: string;
  readonly license: string;
  readonly source: PriceSource;
  readonly models: readonly StoredModel[];
  readonly skipped: readonly { readonly key: string; readonly reason: string; readonly detail?: string }[];
}

// Stored prices are already canonical: plain notation, no exponent, no sign.
const rate = z.string().refine((value) => isDecimalString(value) && !value.startsWith("-"), "bad decimal");
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const tierSchema = z.strictObject({
  aboveTokens: z.number().int().positive(),
  input: rate.optional(),
  output: rate.optional(),
  cacheRead: rate.optional(),
  cacheWrite: rate.optional(),
  reasoning: rate.optional(),
});

const modelSchema = z.strictObject({
  provider: z.enum(PROVIDER_IDS),
  id: z.string().min(1),
  aliases: z.array(z.string().min(1)),
  displayName: z.string(),
  contextWindow: z.number().int().positive().nullable(),
  maxOutputTokens: z.number().int().positive().nullable(),
  prices: z.strictObject({
    input: rate,
    output: rate,
    cacheRead: rate.nullable(),
    cacheWrite: rate.nullable(),
    reasoning: rate.nullable(),
    tiers: z.array(tierSchema),
  }),
  capabilities: z.array(z.enum(CAPABILITIES)),
  deprecationDate: date.nullable(),
  sourceUrl: z.string().nullable(),
});

const catalogSchema = z.strictObject({
  generatedBy: z.string(),
  license: z.string(),
  source: z.strictObject({ name: z.string(), sha256: z.string(), date }),
  models: z.array(modelSchema),
  skipped: z.array(z.strictObject({ key: z.string(), reason: z.string(), detail: z.string().optional() })),
});

export function parseStoredCatalog(data: unknown): StoredCatalog {
  const result = catalogSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `models.generated.json is malformed at ${issue?.path.join(".") ?? "?"}: ${issue?.message}; ` +
        "re-run `pnpm pricing:sync`",
    );
  }
  return result.data;
}

export function modelsFromStored(catalog: StoredCatalog): ModelInfo[] {
  return catalog.models.map((model) => ({ ...model, priceDate: catalog.source.date, origin: "builtin" }));
}
