/**
 * Rates as the API gives them (exact USD-per-token strings) turned into USD per 1M tokens by
 * moving the decimal point: no float ever touches a price shown.
 */
export function perMillionExact(perToken: string): string {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(perToken.trim());
  if (!match) return perToken;
  const [, whole = "0", fraction = ""] = match;
  const digits = whole + fraction.padEnd(6, "0");
  const point = whole.length + 6;
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const fracPart = digits.slice(point).replace(/0+$/, "");
  return fracPart === "" ? intPart : `${intPart}.${fracPart}`;
}

/** A decimal string that is zero ("0", "0.000"). */
export function isZero(exact: string): boolean {
  return /^-?0*(\.0*)?$/.test(exact.trim()) && /\d/.test(exact);
}

/**
 * A model without a price: the catalog bills neither its input nor its output. Shown as "No
 * price", never as $0, since a call to it would be charged nothing and escape budgets.
 */
export function isUnpriced(prices: { per_token: { input: string; output: string } }): boolean {
  return isZero(prices.per_token.input) && isZero(prices.per_token.output);
}

/**
 * A compared model whose total is zero for a workload that has tokens: the catalog has no
 * price for it (a real price times real tokens is never zero).
 */
export function isUnpricedTotal(totalExact: string, tokens: number): boolean {
  return tokens > 0 && isZero(totalExact);
}
