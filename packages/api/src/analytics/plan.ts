import type { SourcePlan, TimeRange, WindowProbe } from "@llmg/db";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

function push(ranges: [number, number][], start: number, end: number): void {
  if (end <= start) return;
  const last = ranges[ranges.length - 1];
  // Adjacent ranges merge, so a quiet month is one range, not 720.
  if (last && last[1] === start) last[1] = end;
  else ranges.push([start, end]);
}

/**
 * Splits [from, to) (epoch ms) into what the rollups answer and what is read from the rows:
 *
 * - whole UTC days from the daily rollups (when `useDays`; hourly charts cannot use them),
 *   other whole hours from the hourly rollups;
 * - a partial hour at an edge from its hourly rollup too when no row of that hour lies
 *   outside the window (typically the current hour when `to` is now), else raw, whole;
 * - plus the tail: rows at or past the watermark within the rollup-served span, which the
 *   rollups do not hold yet (new rows, and late rows of old buckets).
 *
 * Before the first rollup run (watermark 0) everything is raw.
 */
export function planSources(from: number, to: number, probe: WindowProbe, useDays: boolean): SourcePlan {
  const plan: SourcePlan = { days: [], hours: [], raw: [], tail: null, watermark: probe.watermark };
  if (to <= from) return plan;
  if (probe.watermark === 0) {
    plan.raw.push([from, to]);
    return plan;
  }
  const raw: [number, number][] = [];
  const headHour = floorTo(from, HOUR_MS);
  const tailHour = floorTo(to, HOUR_MS);
  let start: number;
  let end: number;
  if (headHour === tailHour) {
    // Inside one hour: its rollup serves only if no row of the hour falls outside.
    if ((from !== headHour && probe.headOutside) || probe.tailOutside) {
      plan.raw.push([from, to]);
      return plan;
    }
    start = headHour;
    end = headHour + HOUR_MS;
  } else {
    start = from === headHour || !probe.headOutside ? headHour : headHour + HOUR_MS;
    if (start > from) push(raw, from, start);
    if (to === tailHour) end = to;
    else end = probe.tailOutside ? tailHour : tailHour + HOUR_MS;
    if (end < to) push(raw, end, to);
  }
  const days: [number, number][] = [];
  const hours: [number, number][] = [];
  for (let day = floorTo(start, DAY_MS); day < end; day += DAY_MS) {
    const s = Math.max(day, start);
    const e = Math.min(day + DAY_MS, end);
    if (useDays && s === day && e === day + DAY_MS) push(days, s, e);
    else push(hours, s, e);
  }
  const tail: TimeRange = [Math.max(start, from), Math.min(end, to)];
  return { days, hours, raw, tail: tail[1] > tail[0] ? tail : null, watermark: probe.watermark };
}
