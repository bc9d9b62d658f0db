import { z } from "zod";
import { decimalFromNumber, normalizeDecimal } from "../pricing/decimal";
import type { Capability } from "./types";

/**
 * Reading one entry of LiteLLM's model price map (model_prices_and_context_window.json), the
 * format of both the built-in snapshot and the operator's override file. Only the fields that
 * bear on chat token pricing are read; LiteLLM's many others (batch/priority/flex rates, audio,
 * rpm/tpm...) are ignored so that an entry can be pasted from upstream unchanged.
 */

export class LiteLlmEntryError extends Error {
  override readonly name = "LiteLlmEntryError";
  constructor(
    readonly key: string,
    readonly field: string | null,
    readonly reason: string,
  ) {
    super(field === null ? `model "${key}": ${reason}` : `model "${key}", field "${field}": ${reason}`);
  }
}

/** A rate, undefined when the entry does not mention it, null when it explicitly removes it. */
type Mention<T> = T | null | undefined;

export const PRICE_KINDS = ["input", "output", "cacheRead", "cacheWrite", "reasoning"] as const;
export type PriceKind = (typeof PRICE_KINDS)[number];

export interface ParsedEntry {
  readonly litellmProvider: string | undefined;
  readonly mode: string | undefined;
  readonly prices: { readonly [K in PriceKind]: Mention<string> };
  /** Keyed by the threshold in tokens (200k → 200000). */
  readonly tiers: ReadonlyMap<number, { readonly [K in PriceKind]?: string | null }>;
  readonly capabilities: ReadonlyMap<Capability, boolean>;
  readonly contextWindow: Mention<number>;
  readonly maxOutputTokens: Mention<number>;
  readonly deprecationDate: Mention<string>;
  readonly sourceUrl: Mention<string>;
}

// JSON numbers are how LiteLLM writes prices; strings let an operator write an exact decimal.
const priceSchema = z.union(
  [
    z.number().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?([eE][+-]?\d{1,3})?$/, "expected a non-negative decimal string"),
  ],
  { error: "expected a non-negative number or decimal string (USD per token)" },
);
const tokenLimitSchema = z.number().int().positive();
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a YYYY-MM-DD date");

const baseFields = {
  litellm_provider: z.string().optional(),
  mode: z.string().optional(),
  input_cost_per_token: priceSchema.optional(),
  output_cost_per_token: priceSchema.optional(),
  cache_read_input_token_cost: priceSchema.nullable().optional(),
  // DeepSeek's spelling of the cache-read rate in some LiteLLM entries.
  input_cost_per_token_cache_hit: priceSchema.nullable().optional(),
  cache_creation_input_token_cost: priceSchema.nullable().optional(),
  output_cost_per_reasoning_token: priceSchema.nullable().optional(),
  max_input_tokens: tokenLimitSchema.nullable().optional(),
  max_output_tokens: tokenLimitSchema.nullable().optional(),
  max_tokens: tokenLimitSchema.nullable().optional(),
  deprecation_date: dateSchema.nullable().optional(),
  source: z.string().nullable().optional(),
};
const entrySchema = z.looseObject(baseFields);

const PRICE_FIELDS: Readonly<Record<string, PriceKind>> = {
  input_cost_per_token: "input",
  output_cost_per_token: "output",
  cache_read_input_token_cost: "cacheRead",
  cache_creation_input_token_cost: "cacheWrite",
  output_cost_per_reasoning_token: "reasoning",
};

// Only the standard (non-batch, non-priority, 5-minute cache) rates have tiers we bill by.
const TIER_FIELD =
  /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|output_cost_per_reasoning_token)_above_(\d+)k_tokens$/;

const CAPABILITY_FLAGS: Readonly<Record<string, Capability>> = {
  supports_vision: "vision",
  supports_function_calling: "tools",
  supports_parallel_function_calling: "parallel_tools",
  supports_tool_choice: "tool_choice",
  supports_response_schema: "json_mode",
  supports_prompt_caching: "prompt_caching",
  supports_reasoning: "reasoning",
  supports_pdf_input: "pdf_input",
  supports_audio_input: "audio_input",
  supports_audio_output: "audio_output",
  supports_web_search: "web_search",
  supports_computer_use: "computer_use",
};

function toDecimal(value: number | string): string {
  return typeof value === "number" ? decimalFromNumber(value) : normalizeDecimal(value);
}

function optionalDecimal(value: number | string | null | undefined): Mention<string> {
  if (value === undefined || value === null) return value;
  return toDecimal(value);
}

export function parseLiteLlmEntry(key: string, raw: unknown): ParsedEntry {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new LiteLlmEntryError(key, null, "expected an object");
  }
  const result = entrySchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.length ? String(issue.path[0]) : null;
    throw new LiteLlmEntryError(key, field, issue?.message ?? "invalid entry");
  }
  const entry = result.data;

  const tiers = new Map<number, { [K in PriceKind]?: string | null }>();
  const capabilities = new Map<Capability, boolean>();
  for (const [field, value] of Object.entries(raw)) {
    const tierMatch = TIER_FIELD.exec(field);
    if (tierMatch) {
      const kind = PRICE_FIELDS[tierMatch[1] ?? ""];
      const thousands = Number(tierMatch[2]);
      if (kind === undefined || !Number.isSafeInteger(thousands * 1000)) continue;
      const parsed = priceSchema.nullable().safeParse(value);
      if (!parsed.success) {
        throw new LiteLlmEntryError(key, field, parsed.error.issues[0]?.message ?? "invalid price");
      }
      const tier = tiers.get(thousands * 1000) ?? {};
      tier[kind] = parsed.data === null ? null : toDecimal(parsed.data);
      tiers.set(thousands * 1000, tier);
      continue;
    }
    if (field.startsWith("supports_")) {
      if (typeof value !== "boolean") throw new LiteLlmEntryError(key, field, "expected true or false");
      const capability = CAPABILITY_FLAGS[field];
      if (capability !== undefined) capabilities.set(capability, value);
    }
  }

  return {
    litellmProvider: entry.litellm_provider,
    mode: entry.mode,
    prices: {
      input: optionalDecimal(entry.input_cost_per_token),
      output: optionalDecimal(entry.output_cost_per_token),
      cacheRead: optionalDecimal(
        entry.cache_read_input_token_cost === undefined
          ? entry.input_cost_per_token_cache_hit
          : entry.cache_read_input_token_cost,
      ),
      cacheWrite: optionalDecimal(entry.cache_creation_input_token_cost),
      reasoning: optionalDecimal(entry.output_cost_per_reasoning_token),
    },
    tiers,
    capabilities,
    contextWindow: entry.max_input_tokens,
    // LiteLLM's legacy max_tokens is the output cap when max_output_tokens is absent.
    maxOutputTokens: entry.max_output_tokens === undefined ? entry.max_tokens : entry.max_output_tokens,
    deprecationDate: entry.deprecation_date,
    sourceUrl: entry.source,
  };
}
