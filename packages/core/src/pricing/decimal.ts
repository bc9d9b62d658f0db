/**
 * Exact decimal arithmetic on strings, backed by BigInt.
 *
 * Money in llmg never touches binary floating point: prices are stored as decimal strings
 * (USD per token, e.g. "0.00000025"), multiplied by integer token counts and summed exactly.
 * Binary floats cannot represent 0.1 or 2.5e-7, and rounding errors would compound over
 * millions of requests, so sums here must equal what PostgreSQL's `numeric` would compute.
 */

/** A plain decimal number written as a string: no exponent, "0" for zero, e.g. "0.0000375". */
export type DecimalString = string;

/** value = units / 10^scale. Not normalised: "1.50" parses to { units: 150n, scale: 2 }. */
export interface ScaledDecimal {
  readonly units: bigint;
  readonly scale: number;
}

export class DecimalFormatError extends Error {
  override readonly name = "DecimalFormatError";
  constructor(readonly input: string) {
    super(`not a decimal number: ${JSON.stringify(input)}`);
  }
}

// Exponent form is accepted because that is how JavaScript prints small JSON numbers (2.5e-7).
const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
// Bounds the work a hostile "1e999999999" could cause; real prices need a dozen or two digits.
const MAX_EXPONENT = 1000;

const TEN = 10n;
const powCache: bigint[] = [];

function pow10(exponent: number): bigint {
  const cached = powCache[exponent];
  if (cached !== undefined) return cached;
  const value = TEN ** BigInt(exponent);
  if (exponent < 64) powCache[exponent] = value;
  return value;
}

export const ZERO_DECIMAL: ScaledDecimal = Object.freeze({ units: 0n, scale: 0 });

export function parseDecimal(input: string): ScaledDecimal {
  const match = DECIMAL_PATTERN.exec(input);
  if (!match) throw new DecimalFormatError(input);
  const [, sign, whole = "", fraction = "", exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) {
    throw new DecimalFormatError(input);
  }
  let units = BigInt(whole + fraction);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= pow10(-scale);
    scale = 0;
  }
  return { units: sign === "-" ? -units : units, scale };
}

export function isDecimalString(input: string): boolean {
  return DECIMAL_PATTERN.test(input) && !/[eE]/.test(input);
}

export function formatDecimal(value: ScaledDecimal): DecimalString {
  const negative = value.units < 0n;
  let digits = (negative ? -value.units : value.units).toString();
  let scale = value.scale;
  // Trailing fractional zeros carry no value; dropping them gives one spelling per number.
  while (scale > 0 && digits.length > 1 && digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    scale -= 1;
  }
  if (digits === "0") return "0";
  let text: string;
  if (scale === 0) {
    text = digits;
  } else {
    const padded = digits.padStart(scale + 1, "0");
    text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  }
  return negative ? `-${text}` : text;
}

/** Rewrites any accepted spelling ("2.5e-7", "1.50") in the canonical plain form. */
export function normalizeDecimal(input: string): DecimalString {
  return formatDecimal(parseDecimal(input));
}

/**
 * Exact decimal spelling of a JSON number. `String(n)` is the shortest string that reads back
 * as the same double, which is what a JSON price file meant; only its notation is changed here.
 */
export function decimalFromNumber(value: number): DecimalString {
  if (!Number.isFinite(value)) throw new DecimalFormatError(String(value));
  return normalizeDecimal(String(value));
}

function align(a: ScaledDecimal, b: ScaledDecimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.units, b.units, a.scale];
  if (a.scale > b.scale) return [a.units, b.units * pow10(a.scale - b.scale), a.scale];
  return [a.units * pow10(b.scale - a.scale), b.units, b.scale];
}

export function addScaled(a: ScaledDecimal, b: ScaledDecimal): ScaledDecimal {
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

export function subtractScaled(a: ScaledDecimal, b: ScaledDecimal): ScaledDecimal {
  const [x, y, scale] = align(a, b);
  return { units: x - y, scale };
}

export function compareScaled(a: ScaledDecimal, b: ScaledDecimal): -1 | 0 | 1 {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Multiplies by a whole number (a token count); throws on fractions so no rounding hides. */
export function multiplyScaled(a: ScaledDecimal, factor: number | bigint): ScaledDecimal {
  if (typeof factor === "number" && !Number.isSafeInteger(factor)) {
    throw new RangeError(`multiplier must be a safe integer, got ${factor}`);
  }
  return { units: a.units * BigInt(factor), scale: a.scale };
}

export function addDecimals(...values: readonly string[]): DecimalString {
  let total = ZERO_DECIMAL;
  for (const value of values) total = addScaled(total, parseDecimal(value));
  return formatDecimal(total);
}

export function subtractDecimals(a: string, b: string): DecimalString {
  return formatDecimal(subtractScaled(parseDecimal(a), parseDecimal(b)));
}

export function multiplyDecimal(value: string, factor: number | bigint): DecimalString {
  return formatDecimal(multiplyScaled(parseDecimal(value), factor));
}

export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  return compareScaled(parseDecimal(a), parseDecimal(b));
}

export function maxDecimal(a: string, b: string): DecimalString {
  return normalizeDecimal(compareDecimals(a, b) >= 0 ? a : b);
}

/**
 * Rounds to `places` fractional digits, half away from zero ("half-up" on magnitudes, as
 * invoices do), and returns the canonical form: roundDecimal("0.125", 2) === "0.13".
 * For display only; stored costs keep every digit.
 */
export function roundDecimal(value: string, places: number): DecimalString {
  if (!Number.isSafeInteger(places) || places < 0) {
    throw new RangeError(`places must be a non-negative integer, got ${places}`);
  }
  const parsed = parseDecimal(value);
  if (parsed.scale <= places) return formatDecimal(parsed);
  const divisor = pow10(parsed.scale - places);
  const negative = parsed.units < 0n;
  const magnitude = negative ? -parsed.units : parsed.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return formatDecimal({ units: negative ? -quotient : quotient, scale: places });
}

/** Nearest JS number, for charts and logs only: never feed the result back into money math. */
export function decimalToNumber(value: string): number {
  return Number(normalizeDecimal(value));
}
