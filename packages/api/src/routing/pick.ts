/** A credential as routing sees it: its tier (priority) and share within the tier (weight). */
export interface Weighted {
  id: string;
  priority: number;
  weight: number;
}

/**
 * The credentials grouped by priority, highest first: calls go to the highest tier that has a
 * usable credential, and within it by weight. Equal priorities (the default) make one tier.
 */
export function tiers<T extends Weighted>(credentials: readonly T[]): T[][] {
  const byPriority = new Map<number, T[]>();
  for (const c of credentials) {
    const tier = byPriority.get(c.priority);
    if (tier) tier.push(c);
    else byPriority.set(c.priority, [c]);
  }
  return [...byPriority.entries()].sort((a, b) => b[0] - a[0]).map(([, tier]) => tier);
}

/**
 * One of `items` with probability weight / total weight. `random` is in [0, 1). Weights are
 * integers 1..1000, so the sum is exact.
 */
export function pickWeighted<T extends Weighted>(
  items: readonly T[],
  random: number = Math.random(),
): T | undefined {
  if (items.length <= 1) return items[0];
  let total = 0;
  for (const item of items) total += item.weight;
  let point = random * total;
  for (const item of items) {
    point -= item.weight;
    if (point < 0) return item;
  }
  return items[items.length - 1];
}
