import { LATENCY_BOUNDS_MS } from "@llmg/db";

/**
 * The `p`-quantile (0..1) of a latency histogram, in ms, the way Prometheus'
 * histogram_quantile does it: find the bucket holding the rank, then interpolate linearly
 * inside it. The open last bucket and the top of the highest non-empty one are capped at the
 * recorded maximum, so an estimate never exceeds a latency that was actually seen.
 * Null when the histogram is empty.
 */
export function histogramQuantile(hist: readonly number[], p: number, max: number): number | null {
  const total = hist.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.min(Math.max(p, 0), 1) * total;
  let below = 0;
  for (let i = 0; i < hist.length; i++) {
    const count = hist[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] ?? 0);
      const upper = Math.max(lower, Math.min(LATENCY_BOUNDS_MS[i] ?? max, max));
      return Math.round(lower + (upper - lower) * ((rank - below) / count));
    }
    below += count;
  }
  return Math.round(max);
}

/** Element-wise sum of histograms of the same buckets. */
export function addHistograms(into: number[], add: readonly number[]): number[] {
  for (let i = 0; i < add.length; i++) into[i] = (into[i] ?? 0) + (add[i] ?? 0);
  return into;
}
