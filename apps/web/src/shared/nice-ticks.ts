/**
 * Axis ticks at round steps (1, 2 or 5 × a power of ten) from 0 up to the first tick at or above
 * `max`, about `count` steps. Display only: a chart plots numbers, the figures beside it are exact.
 */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    // Multiply rather than add, and trim binary noise: 0.1 × 3 is 0.3 on the axis, not 0.30000000000000004.
    const tick = Number((i * step).toPrecision(12));
    ticks.push(tick);
    if (tick >= max) return ticks;
  }
}
