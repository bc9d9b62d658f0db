import type { ModelInfo } from "../catalog/types";
import type { Usage } from "../usage";
import { addScaled, type DecimalString, formatDecimal, multiplyScaled, type ScaledDecimal } from "./decimal";
import { maxScaled, ratesFor } from "./rates";

export class InvalidUsageError extends Error {
  override readonly name = "InvalidUsageError";
  readonly code = "invalid_usage";
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid usage: ${field} ${reason}`);
  }
}

/** Each token billed exactly once: the five parts partition prompt + completion tokens. */
export interface CostBreakdown {
  /** Uncached prompt tokens at the input rate. */
  readonly input: DecimalString;
  readonly cacheRead: DecimalString;
  readonly cacheWrite: DecimalString;
  /** Completion tokens other than reasoning, at the output rate. */
  readonly output: DecimalString;
  readonly reasoning: DecimalString;
}

export interface UsageCost {
  /** input + cacheRead + cacheWrite */
  readonly promptCost: DecimalString;
  /** output + reasoning */
  readonly completionCost: DecimalString;
  readonly totalCost: DecimalString;
  readonly breakdown: CostBreakdown;
  /** Threshold (prompt tokens) of the price tier applied, or null for base rates. */
  readonly tier: number | null;
}

function checkCount(field: string, value: number): void {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidUsageError(field, `must be a non-negative integer, got ${String(value)}`);
  }
}

function validateUsage(usage: Usage): void {
  checkCount("promptTokens", usage.promptTokens);
  checkCount("completionTokens", usage.completionTokens);
  checkCount("cachedReadTokens", usage.cachedReadTokens);
  checkCount("cacheWriteTokens", usage.cacheWriteTokens);
  checkCount("reasoningTokens", usage.reasoningTokens);
  if (usage.cachedReadTokens + usage.cacheWriteTokens > usage.promptTokens) {
    throw new InvalidUsageError(
      "cachedReadTokens",
      `+ cacheWriteTokens (${usage.cachedReadTokens} + ${usage.cacheWriteTokens}) exceed promptTokens (${usage.promptTokens})`,
    );
  }
  if (usage.reasoningTokens > usage.completionTokens) {
    throw new InvalidUsageError(
      "reasoningTokens",
      `(${usage.reasoningTokens}) exceed completionTokens (${usage.completionTokens})`,
    );
  }
}

/**
 * Exact cost of one call. `usage` follows OpenAI's convention (see Usage): cache reads and
 * writes are inside promptTokens and reasoning is inside completionTokens, so each subset is
 * taken out of its total before the total is billed; nothing is charged twice.
 */
export function priceUsage(model: ModelInfo, usage: Usage): UsageCost {
  validateUsage(usage);
  const rates = ratesFor(model.prices, usage.promptTokens);
  const uncached = usage.promptTokens - usage.cachedReadTokens - usage.cacheWriteTokens;
  const plainOutput = usage.completionTokens - usage.reasoningTokens;

  const input = multiplyScaled(rates.input, uncached);
  const cacheRead = multiplyScaled(rates.cacheRead, usage.cachedReadTokens);
  const cacheWrite = multiplyScaled(rates.cacheWrite, usage.cacheWriteTokens);
  const output = multiplyScaled(rates.output, plainOutput);
  const reasoning = multiplyScaled(rates.reasoning, usage.reasoningTokens);

  const prompt = addScaled(addScaled(input, cacheRead), cacheWrite);
  const completion = addScaled(output, reasoning);
  return {
    promptCost: formatDecimal(prompt),
    completionCost: formatDecimal(completion),
    totalCost: formatDecimal(addScaled(prompt, completion)),
    breakdown: {
      input: formatDecimal(input),
      cacheRead: formatDecimal(cacheRead),
      cacheWrite: formatDecimal(cacheWrite),
      output: formatDecimal(output),
      reasoning: formatDecimal(reasoning),
    },
    tier: rates.tier,
  };
}

/**
 * Upper bound of a call's cost before it runs, for budget reservations. The split of the prompt
 * into cached/uncached and of the output into reasoning/plain is unknown in advance, so every
 * prompt token is priced at the dearest prompt rate (the input rate, or the cache-write rate
 * where writes carry a premium, as on Anthropic) and every output token at the dearer of the
 * output and reasoning rates, in the tier the prompt size selects.
 */
export function maxCostFor(model: ModelInfo, promptTokens: number, maxOutputTokens: number): DecimalString {
  checkCount("promptTokens", promptTokens);
  checkCount("maxOutputTokens", maxOutputTokens);
  const rates = ratesFor(model.prices, promptTokens);
  const dearestPrompt: ScaledDecimal = maxScaled(maxScaled(rates.input, rates.cacheWrite), rates.cacheRead);
  const dearestOutput: ScaledDecimal = maxScaled(rates.output, rates.reasoning);
  return formatDecimal(
    addScaled(multiplyScaled(dearestPrompt, promptTokens), multiplyScaled(dearestOutput, maxOutputTokens)),
  );
}
