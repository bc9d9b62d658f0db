/**
 * Rate limits use GCRA (the generic cell rate algorithm, i.e. a token bucket kept as one
 * timestamp): a bucket of `limit` per minute is one "theoretical arrival time" (TAT) per key.
 * Why GCRA rather than a sliding window: O(1) state and work per key whatever the limit (a
 * sliding log holds one entry per request, a bad fit for tokens per minute), no burst at window
 * boundaries (a fixed window lets 2x through across one), variable costs (tokens) come for
 * free, and the retry time is exact. Its burst is the whole minute's allowance, so "60 RPM"
 * admits 60 calls at once, then one per second.
 *
 * The same arithmetic runs in Lua (redis-script.ts) for production; keep both in step.
 */
export const RATE_PERIOD_MS = 60_000;
// Float slack: 7 × (60000/7) may come out a hair above 60000.
const EPSILON_MS = 0.001;

export interface BucketState {
  limit: number;
  remaining: number;
  /** Until the bucket is full again (OpenAI's "reset"). */
  resetMs: number;
}

export interface GcraDecision {
  allowed: boolean;
  /** The TAT to store when the whole admission is granted. */
  newTat: number;
  /** Wait before this cost would fit, when refused. */
  retryAfterMs: number;
  state: BucketState;
}

export function gcra(storedTat: number | undefined, now: number, limit: number, cost: number): GcraDecision {
  const interval = RATE_PERIOD_MS / limit;
  const tat = Math.max(storedTat ?? now, now);
  const newTat = tat + cost * interval;
  const allowed = newTat - now <= RATE_PERIOD_MS + EPSILON_MS;
  const after = allowed ? newTat : tat;
  return {
    allowed,
    newTat,
    retryAfterMs: allowed ? 0 : newTat - now - RATE_PERIOD_MS,
    state: {
      limit,
      remaining: Math.max(0, Math.floor((RATE_PERIOD_MS - (after - now)) / interval + 1e-9)),
      resetMs: Math.max(0, after - now),
    },
  };
}

/**
 * Corrects a token bucket once the real usage is known: `delta` = actual - reserved tokens.
 * A refund never moves the TAT into the past (that would bank unused capacity).
 */
export function gcraAdjust(
  storedTat: number | undefined,
  now: number,
  limit: number,
  delta: number,
): number | undefined {
  if (storedTat === undefined || delta === 0) return storedTat;
  const interval = RATE_PERIOD_MS / limit;
  const base = delta > 0 ? Math.max(storedTat, now) : storedTat;
  return Math.max(now, base + delta * interval);
}
