/** Display helpers. Money shown to the user is the API's exact decimal string, never re-rounded. */

export function usdExact(exact: string): string {
  return `$${exact}`;
}

/**
 * An estimate (a projection, not a charge) to the cent, rounded half up on the decimal string
 * itself: "12.3456789" → "$12.35". Charged amounts are shown whole with usdExact.
 */
export function usdCents(exact: string): string {
  return `$${roundDecimal(exact, 2)}`;
}

/** Rounds a plain decimal string ("-1.005", "3") half away from zero, without floats. */
export function roundDecimal(exact: string, places: number): string {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(exact.trim());
  if (!match) return exact;
  const [, sign, whole, fraction = ""] = match;
  const padded = fraction.padEnd(places + 1, "0");
  let units = BigInt(whole + padded.slice(0, places));
  if (Number(padded[places]) >= 5) units += 1n;
  const digits = units.toString().padStart(places + 1, "0");
  const rounded = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return units === 0n ? rounded : `${sign}${rounded}`;
}

/** A chart axis label: charts plot the display number, so a short form is enough there. */
export function usdShort(value: number): string {
  if (value === 0) return "$0";
  if (Math.abs(value) < 0.01) return `$${value.toPrecision(2)}`;
  return `$${value.toFixed(2)}`;
}

// Made once: toLocaleString() builds a new Intl formatter on every call, and charts format
// every tick on every render.
const COUNT = new Intl.NumberFormat("en-US");
const DAY = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const MONTH = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });

export function count(value: number): string {
  return COUNT.format(value);
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

export function ms(value: number | null): string {
  return value === null ? "—" : `${count(value)} ms`;
}

/** (this − previous) / previous as "+12.0 %", or nothing when there was no previous period. */
export function change(value: number | null): string | null {
  if (value === null) return null;
  const sign = value > 0 ? "+" : "";
  return `${sign}${(value * 100).toFixed(1)} % vs previous period`;
}

/** "2026-11-03T00:00:00.000Z" → "Nov 3" (UTC, as the buckets are). */
export function day(iso: string): string {
  return DAY.format(new Date(iso));
}

/** "2026-11-01T00:00:00.000Z" → "Nov 2026" (UTC, as budget periods are). */
export function month(iso: string): string {
  return MONTH.format(new Date(iso));
}
