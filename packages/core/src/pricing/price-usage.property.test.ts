import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultCatalog } from "../catalog/catalog";
import type { ModelInfo } from "../catalog/types";
import type { Usage } from "../usage";
import { addDecimals, compareDecimals, formatDecimal, parseDecimal } from "./decimal";
import { maxCostFor, priceUsage } from "./price-usage";

/**
 * Usage is generated as its five disjoint parts, so every generated value satisfies the subset
 * rules, and "more tokens" means one more token of one kind with the totals grown to match.
 */
interface Parts {
  uncached: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

const KINDS = ["uncached", "cacheRead", "cacheWrite", "output", "reasoning"] as const;

// Up to ~1.2M prompt tokens so every tier threshold in the snapshot (128k-272k) gets crossed.
const count = fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 400_000 }));
const parts: fc.Arbitrary<Parts> = fc.record({
  uncached: count,
  cacheRead: count,
  cacheWrite: count,
  output: count,
  reasoning: count,
});
const models = defaultCatalog.models();
const anyModel: fc.Arbitrary<ModelInfo> = fc.constantFrom(...models);

function toUsage(p: Parts): Usage {
  return {
    promptTokens: p.uncached + p.cacheRead + p.cacheWrite,
    cachedReadTokens: p.cacheRead,
    cacheWriteTokens: p.cacheWrite,
    completionTokens: p.output + p.reasoning,
    reasoningTokens: p.reasoning,
    estimated: false,
  };
}

describe("priceUsage properties, over every catalog model", () => {
  it("breakdown sums exactly to the totals; nothing is negative or NaN", () => {
    fc.assert(
      fc.property(anyModel, parts, (model, p) => {
        const cost = priceUsage(model, toUsage(p));
        const { input, cacheRead, cacheWrite, output, reasoning } = cost.breakdown;
        expect(addDecimals(input, cacheRead, cacheWrite)).toBe(cost.promptCost);
        expect(addDecimals(output, reasoning)).toBe(cost.completionCost);
        expect(addDecimals(cost.promptCost, cost.completionCost)).toBe(cost.totalCost);
        for (const value of [
          cost.totalCost,
          cost.promptCost,
          cost.completionCost,
          ...Object.values(cost.breakdown),
        ]) {
          expect(value).toMatch(/^(0|[1-9]\d*)(\.\d*[1-9])?$/);
          expect(formatDecimal(parseDecimal(value))).toBe(value);
          expect(Number.isNaN(Number(value))).toBe(false);
        }
      }),
    );
  });

  it("is monotone non-decreasing in every token count", () => {
    fc.assert(
      fc.property(
        anyModel,
        parts,
        fc.constantFrom(...KINDS),
        fc.integer({ min: 1, max: 300_000 }),
        (model, p, kind, extra) => {
          const before = priceUsage(model, toUsage(p)).totalCost;
          const after = priceUsage(model, toUsage({ ...p, [kind]: p[kind] + extra })).totalCost;
          expect(compareDecimals(after, before)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it("never exceeds maxCostFor for the same or larger prompt and output budget", () => {
    fc.assert(
      fc.property(anyModel, parts, count, count, (model, p, morePrompt, moreOutput) => {
        const usage = toUsage(p);
        const bound = maxCostFor(model, usage.promptTokens + morePrompt, usage.completionTokens + moreOutput);
        expect(compareDecimals(priceUsage(model, usage).totalCost, bound)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it("every tier rate is at least the base rate it replaces (what monotonicity relies on)", () => {
    for (const model of models) {
      for (const tier of model.prices.tiers) {
        for (const kind of ["input", "output", "cacheRead", "cacheWrite", "reasoning"] as const) {
          const tierRate = tier[kind];
          const baseRate = model.prices[kind];
          if (tierRate !== undefined && baseRate !== null) {
            expect(compareDecimals(tierRate, baseRate), `${model.id} ${kind}`).toBeGreaterThanOrEqual(0);
          }
        }
      }
    }
  });
});
