import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS } from "@llmg/db";
import { describe, expect, it } from "vitest";
import { addHistograms, histogramQuantile } from "./histogram";

/** A histogram of exact latencies, bucketed as the rollup SQL does. */
function histogramOf(latencies: number[]): number[] {
  const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const ms of latencies) {
    const i = LATENCY_BOUNDS_MS.findIndex((bound) => ms < bound);
    const at = i === -1 ? LATENCY_BUCKETS - 1 : i;
    hist[at] = (hist[at] ?? 0) + 1;
  }
  return hist;
}

function exactQuantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

describe("histogramQuantile", () => {
  it("is null for an empty histogram, and within the sample's bucket for one sample", () => {
    expect(histogramQuantile(new Array(LATENCY_BUCKETS).fill(0), 0.5, 0)).toBeNull();
    // 800 ms lies in [750, 1000); capped by the maximum, the bucket is [750, 800].
    expect(histogramQuantile(histogramOf([800]), 0.5, 800)).toBe(775);
    expect(histogramQuantile(histogramOf([800]), 1, 800)).toBe(800);
  });

  it("interpolates inside the bucket holding the rank", () => {
    // 100 calls in [1000, 1500), the slowest 1499 ms: interpolated between 1000 and that maximum.
    const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
    hist[LATENCY_BOUNDS_MS.indexOf(1000) + 1] = 100;
    expect(histogramQuantile(hist, 0.5, 1499)).toBe(1250);
    expect(histogramQuantile(hist, 0.95, 1499)).toBe(1474);
  });

  it("never reports more than the recorded maximum, even from the open last bucket", () => {
    expect(histogramQuantile(histogramOf([200_000, 250_000]), 0.95, 250_000)).toBeLessThanOrEqual(250_000);
    expect(histogramQuantile(histogramOf([10, 20, 5000]), 0.99, 5000)).toBeLessThanOrEqual(5000);
  });

  it("stays within one bucket of the exact percentile on skewed data", () => {
    let seed = 3;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const latencies = Array.from({ length: 5000 }, () => Math.round(40 + random() * random() * 30_000));
    const hist = histogramOf(latencies);
    const max = Math.max(...latencies);
    for (const p of [0.5, 0.9, 0.95, 0.99]) {
      const exact = exactQuantile(latencies, p);
      const estimate = histogramQuantile(hist, p, max) ?? 0;
      const bucket = LATENCY_BOUNDS_MS.findIndex((b) => exact < b);
      const lower = bucket <= 0 ? 0 : (LATENCY_BOUNDS_MS[bucket - 1] ?? 0);
      const upper = LATENCY_BOUNDS_MS[bucket] ?? max;
      expect(estimate, `p${p * 100}`).toBeGreaterThanOrEqual(lower);
      expect(estimate, `p${p * 100}`).toBeLessThanOrEqual(upper);
    }
  });

  it("adds histograms element-wise", () => {
    expect(addHistograms([1, 2, 3], [10, 20, 30])).toEqual([11, 22, 33]);
  });
});
