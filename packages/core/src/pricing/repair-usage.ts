import type { ModelInfo } from "../catalog/types";
import type { Usage } from "../usage";
import { addScaled, formatDecimal, multiplyScaled, ZERO_DECIMAL } from "./decimal";
import type { UsageCost } from "./price-usage";
import { maxScaled, ratesFor } from "./rates";

/** Cap of any one count: what PostgreSQL's integer column of a usage row holds. */
export const MAX_USAGE_TOKENS = 2_147_483_647;

function count(value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) return 0;
  return Math.min(Math.ceil(value), MAX_USAGE_TOKENS);
}

/**
 * A usage report the cost engine refused, made consistent without ever lowering what is billed:
 * counts become non-negative integers (fractions rounded up, astronomic values capped), and a
 * subset larger than its total (cached > prompt, reasoning > completion) raises the total.
 * Negative or non-numeric counts become 0. The result is flagged `estimated`.
 */
export function repairUsage(usage: Usage): Usage {
  const cachedRead = count(usage.cachedReadTokens);
  const reasoning = count(usage.reasoningTokens);
  const promptTokens = Math.min(
    MAX_USAGE_TOKENS,
    Math.max(count(usage.promptTokens), cachedRead + count(usage.cacheWriteTokens)),
  );
  const cachedReadTokens = Math.min(cachedRead, promptTokens);
  const cacheWriteTokens = Math.min(count(usage.cacheWriteTokens), promptTokens - cachedReadTokens);
  const completionTokens = Math.max(count(usage.completionTokens), reasoning);
  return {
    promptTokens,
    completionTokens,
    cachedReadTokens,
    cacheWriteTokens,
    reasoningTokens: Math.min(reasoning, completionTokens),
    estimated: true,
  };
}

/**
 * Prices a repaired usage the way a reservation is priced (maxCostFor): every prompt token at the
 * dearest prompt rate and every output token at the dearest output rate of the tier the prompt
 * selects. A report we cannot trust is never billed below what any reading of it could cost.
 */
export function priceUsageConservatively(model: ModelInfo, usage: Usage): UsageCost {
  const rates = ratesFor(model.prices, usage.promptTokens);
  const prompt = multiplyScaled(
    maxScaled(maxScaled(rates.input, rates.cacheWrite), rates.cacheRead),
    usage.promptTokens,
  );
  const completion = multiplyScaled(maxScaled(rates.output, rates.reasoning), usage.completionTokens);
  const zero = formatDecimal(ZERO_DECIMAL);
  return {
    promptCost: formatDecimal(prompt),
    completionCost: formatDecimal(completion),
    totalCost: formatDecimal(addScaled(prompt, completion)),
    breakdown: {
      input: formatDecimal(prompt),
      cacheRead: zero,
      cacheWrite: zero,
      output: formatDecimal(completion),
      reasoning: zero,
    },
    tier: rates.tier,
  };
}
