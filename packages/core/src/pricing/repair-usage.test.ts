import { describe, expect, it } from "vitest";
import { defaultCatalog } from "../catalog/catalog";
import type { ModelInfo } from "../catalog/types";
import type { Usage } from "../usage";
import { compareDecimals } from "./decimal";
import { InvalidUsageError, maxCostFor, priceUsage } from "./price-usage";
import { MAX_USAGE_TOKENS, priceUsageConservatively, repairUsage } from "./repair-usage";

function model(provider: string, id: string): ModelInfo {
  const found = defaultCatalog.model(provider, id);
  if (!found) throw new Error(`missing ${provider}/${id}`);
  return found;
}

const usage = (parts: Partial<Usage>): Usage => ({
  promptTokens: 0,
  completionTokens: 0,
  cachedReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  estimated: false,
  ...parts,
});

describe("repairUsage", () => {
  it("raises a total below its subset instead of dropping tokens", () => {
    const bad = usage({ promptTokens: 10, cachedReadTokens: 50, completionTokens: 3, reasoningTokens: 9 });
    expect(() => priceUsage(model("openai", "gpt-4o-mini"), bad)).toThrow(InvalidUsageError);
    expect(repairUsage(bad)).toEqual({
      promptTokens: 50,
      completionTokens: 9,
      cachedReadTokens: 50,
      cacheWriteTokens: 0,
      reasoningTokens: 9,
      estimated: true,
    });
  });

  it("rounds fractions up, zeroes negatives and NaN, caps astronomic counts", () => {
    expect(
      repairUsage(
        usage({ promptTokens: 2.2, completionTokens: -4, cacheWriteTokens: Number.NaN, reasoningTokens: 0 }),
      ),
    ).toMatchObject({ promptTokens: 3, completionTokens: 0, cacheWriteTokens: 0 });
    expect(repairUsage(usage({ promptTokens: 1e300, cachedReadTokens: 1e300 }))).toMatchObject({
      promptTokens: MAX_USAGE_TOKENS,
      cachedReadTokens: MAX_USAGE_TOKENS,
      cacheWriteTokens: 0,
    });
  });

  it("is always accepted by the cost engine", () => {
    for (const bad of [
      usage({ promptTokens: -1 }),
      usage({ promptTokens: 5, cachedReadTokens: 4, cacheWriteTokens: 4 }),
      usage({ completionTokens: 0.5, reasoningTokens: 7 }),
      usage({ promptTokens: Number.POSITIVE_INFINITY }),
    ]) {
      expect(() => priceUsage(model("anthropic", "claude-sonnet-4-5"), repairUsage(bad))).not.toThrow();
    }
  });
});

describe("priceUsageConservatively", () => {
  it("bills every token at the dearest rate: the reservation's rule, never below the exact price", () => {
    const claude = model("anthropic", "claude-sonnet-4-5");
    const repaired = repairUsage(
      usage({ promptTokens: 1000, cachedReadTokens: 1500, completionTokens: 200 }),
    );
    const cost = priceUsageConservatively(claude, repaired);
    expect(cost.totalCost).toBe(maxCostFor(claude, repaired.promptTokens, repaired.completionTokens));
    expect(compareDecimals(cost.totalCost, priceUsage(claude, repaired).totalCost)).toBe(1);
  });
});
