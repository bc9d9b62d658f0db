/** Budget periods are calendar months in UTC. */

export const DAY_MS = 86_400_000;

export function monthKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

export function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the month `offset` months after the one containing `ms` (negative: before). */
export function addMonths(ms: number, offset: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
}

export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function daysInMonth(ms: number): number {
  return Math.round((addMonths(ms, 1) - monthStart(ms)) / DAY_MS);
}
