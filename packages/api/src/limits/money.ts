import { parseDecimal } from "@llmg/core";

/**
 * Counters hold money as integer nano-USD (1e-9 USD): Redis Lua numbers are doubles, exact up
 * to 2^53, so 2^53 - 1 nano-USD ≈ $9,007,199 is the most a counter can hold exactly. Limits are
 * capped at MAX_LIMIT_USD so that limit + in-flight reservations stay well inside that range.
 * Costs and reservations are rounded UP to the next nano-USD and limits DOWN, so rounding can
 * only ever make the gateway stricter, never let spend pass a limit.
 */
export const NANO_PER_USD = 1_000_000_000n;
export const MAX_SAFE_NANO = BigInt(Number.MAX_SAFE_INTEGER);
export const MAX_LIMIT_USD = 1_000_000;

export function usdToNano(usd: string, rounding: "up" | "down"): bigint {
  const { units, scale } = parseDecimal(usd);
  if (scale <= 9) return units * 10n ** BigInt(9 - scale);
  const divisor = 10n ** BigInt(scale - 9);
  const quotient = units / divisor;
  const exact = units % divisor === 0n;
  if (exact) return quotient;
  // BigInt division truncates toward zero.
  if (rounding === "up") return units > 0n ? quotient + 1n : quotient;
  return units > 0n ? quotient : quotient - 1n;
}

export function nanoToUsd(nano: bigint): string {
  const negative = nano < 0n;
  const digits = (negative ? -nano : nano).toString().padStart(10, "0");
  const whole = digits.slice(0, -9);
  const fraction = digits.slice(-9).replace(/0+$/, "");
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative && text !== "0" ? `-${text}` : text;
}

/** part / whole in percent, for display: a float is fine here, nothing is computed from it. */
export function percentOf(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  // Two decimals, computed in integers first so large amounts keep their precision.
  return Number((part * 10_000n) / whole) / 100;
}

/** Display number of an exact amount. */
export function nanoToNumber(nano: bigint): number {
  return Number(nano) / 1e9;
}

export function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
