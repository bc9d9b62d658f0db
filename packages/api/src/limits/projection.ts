import { maxBigint, percentOf } from "./money";
import { addMonths, DAY_MS, dayKey, dayStart, monthStart } from "./period";

/**
 * Month-end projection: spend recorded this month so far, plus the average daily spend of the
 * last 7 days (today's partial day and the 6 before it, reaching into the previous month when
 * the month is young) applied to the time left in the month. The window never starts before
 * the user existed and counts as at least one day, so a new user's first minutes of spend are
 * not extrapolated into a huge daily rate. All money math is exact integer nano-USD.
 */
export const PROJECTION_METHOD = "month_to_date_plus_7_day_average";
export const WARNING_PERCENT = 80n;
const WINDOW_DAYS = 7;

export interface DailySpend {
  /** Start of the UTC day, ms. */
  day: number;
  spentNano: bigint;
}

export interface ProjectionInput {
  now: number;
  limitNano: bigint | null;
  reservedNano: bigint;
  /** Recorded spend per UTC day, covering at least the window and this month up to now. */
  days: DailySpend[];
  /** The window never reaches back before this instant (the user's creation). */
  trackingStart: number;
}

export type BudgetStatus = "ok" | "warning" | "exceeded";

export interface Projection {
  monthStart: number;
  daysInMonth: number;
  /** Days of the month begun so far, today included (1 on the first day). */
  daysElapsed: number;
  /** Whole days after today. */
  daysLeft: number;
  spentNano: bigint;
  remainingNano: bigint | null;
  percentUsed: number | null;
  windowStart: number;
  windowDays: number;
  averageDailyNano: bigint;
  projectedNano: bigint;
  exhaustionDate: string | null;
  status: BudgetStatus;
}

/** a × b / c rounded half up, in integers. */
function mulDiv(a: bigint, b: bigint, c: bigint): bigint {
  return (a * b * 2n + c) / (c * 2n);
}

/** The window start, so the caller can fetch the days it needs: the earlier of month start and this. */
export function windowStartFor(now: number, trackingStart: number): number {
  return Math.max(dayStart(now) - (WINDOW_DAYS - 1) * DAY_MS, Math.min(trackingStart, now));
}

function reachedOn(days: DailySpend[], from: number, limit: bigint): string | null {
  let cumulative = 0n;
  for (const d of [...days].sort((a, b) => a.day - b.day)) {
    if (d.day < from) continue;
    cumulative += d.spentNano;
    if (cumulative >= limit) return dayKey(d.day);
  }
  return null;
}

export function project(input: ProjectionInput): Projection {
  const { now, limitNano } = input;
  const start = monthStart(now);
  const end = addMonths(now, 1);
  const daysInMonth = Math.round((end - start) / DAY_MS);
  const daysElapsed = Math.floor((now - start) / DAY_MS) + 1;

  const windowStart = windowStartFor(now, input.trackingStart);
  const windowMs = BigInt(Math.max(now - windowStart, DAY_MS));
  let spentNano = 0n;
  let windowNano = 0n;
  for (const d of input.days) {
    if (d.day >= start && d.day <= now) spentNano += d.spentNano;
    if (d.day >= dayStart(windowStart) && d.day <= now) windowNano += d.spentNano;
  }
  const averageDailyNano = mulDiv(windowNano, BigInt(DAY_MS), windowMs);
  const projectedNano = spentNano + mulDiv(windowNano, BigInt(end - now), windowMs);

  let exhaustionDate: string | null = null;
  let status: BudgetStatus = "ok";
  if (limitNano !== null) {
    if (spentNano >= limitNano) {
      exhaustionDate = reachedOn(input.days, start, limitNano) ?? dayKey(now);
      status = "exceeded";
    } else {
      if (windowNano > 0n) {
        const at = now + Number(mulDiv(limitNano - spentNano, windowMs, windowNano));
        if (at < end) exhaustionDate = dayKey(at);
      }
      if (spentNano * 100n >= limitNano * WARNING_PERCENT || projectedNano > limitNano) status = "warning";
    }
  }
  return {
    monthStart: start,
    daysInMonth,
    daysElapsed,
    daysLeft: daysInMonth - daysElapsed,
    spentNano,
    remainingNano: limitNano === null ? null : maxBigint(0n, limitNano - spentNano - input.reservedNano),
    percentUsed: limitNano === null ? null : percentOf(spentNano, limitNano),
    windowStart,
    windowDays: Number(windowMs) / DAY_MS,
    averageDailyNano,
    projectedNano,
    exhaustionDate,
    status,
  };
}
