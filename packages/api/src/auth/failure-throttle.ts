import { isIPv6 } from "node:net";

export interface FailureThrottleOptions {
  /** Bad keys an address may present per window; 0 turns the throttle off. */
  maxFailures: number;
  windowMs: number;
  /** Addresses tracked at once; the oldest is dropped past it, so a flood cannot grow memory. */
  maxTracked?: number;
  now: () => number;
}

export interface FailureThrottle {
  /** Seconds until the address may try again, or 0 when it is not blocked. */
  blockedFor(address: string | null | undefined): number;
  /** Counts a bad key presented from the address. */
  fail(address: string | null | undefined): void;
}

interface Window {
  startedAt: number;
  failures: number;
}

const DEFAULT_MAX_TRACKED = 10_000;

/**
 * The unit an address is throttled as: the address itself for IPv4, its /64 for IPv6 (one host
 * usually holds a whole /64, and would otherwise get 2^64 fresh budgets).
 */
export function throttleKey(address: string): string {
  const mapped = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (!isIPv6(mapped)) return mapped;
  const [head = "", tail = ""] = mapped.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = mapped.includes("::") ? (tail === "" ? [] : tail.split(":")) : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/**
 * Fixed-window count of bad keys per client address, in this process: with N replicas an
 * address gets up to N times the budget, which still bounds the database lookups a flood of
 * bad keys can cause. Once over, every key from the address is refused until the window ends.
 */
export function createFailureThrottle(options: FailureThrottleOptions): FailureThrottle {
  const { maxFailures, windowMs, now } = options;
  const maxTracked = options.maxTracked ?? DEFAULT_MAX_TRACKED;
  const windows = new Map<string, Window>();
  return {
    blockedFor(address) {
      // The common case — no bad key seen lately — costs one lookup in an empty or small map.
      if (maxFailures === 0 || !address || windows.size === 0) return 0;
      const window = windows.get(throttleKey(address));
      if (!window || window.failures < maxFailures) return 0;
      const left = window.startedAt + windowMs - now();
      return left > 0 ? Math.ceil(left / 1000) : 0;
    },
    fail(address) {
      if (maxFailures === 0 || !address) return;
      const key = throttleKey(address);
      const t = now();
      const window = windows.get(key);
      if (window && window.startedAt + windowMs > t) {
        window.failures++;
        return;
      }
      windows.delete(key);
      // Windows are inserted as they start, so the map is ordered oldest first: expired ones
      // are dropped from the front, and past the cap the oldest goes even if still running.
      for (const [k, w] of windows) {
        if (w.startedAt + windowMs > t && windows.size < maxTracked) break;
        windows.delete(k);
      }
      windows.set(key, { startedAt: t, failures: 1 });
    },
  };
}
