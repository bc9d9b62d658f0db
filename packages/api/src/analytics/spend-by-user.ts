import { decimalToNumber } from "@llmg/core";
import { type Database, findUsersByIds } from "@llmg/db";
import type { Kysely } from "kysely";
import { readMeasures } from "./measures";
import type { TimeWindow } from "./range";
import { type Aggregate, addInto, emptyAggregate, totalsOf } from "./summary";

const costShare = (part: string, whole: string) => {
  const w = decimalToNumber(whole);
  return w > 0 ? Math.round((decimalToNumber(part) / w) * 10_000) / 10_000 : 0;
};

/**
 * Every user's usage over the window, read the way each user's own summary reads theirs
 * (rollups for closed buckets plus the rows the rollups have not seen, every row once, costs
 * summed as exact numerics), so a user's line equals the totals of their GET /usage/summary.
 * The `limit` biggest spenders are listed; the rest are summed into `other`.
 */
export async function spendByUser(db: Kysely<Database>, window: TimeWindow, limit: number) {
  const rows = await readMeasures(db, {
    userId: null,
    from: window.from,
    to: window.to,
    grouping: { user: true },
  });
  const total = rows.reduce(addInto, emptyAggregate());
  const ranked = rows
    .filter((r): r is typeof r & { user_id: string } => r.user_id !== null)
    .map((r) => ({ userId: r.user_id, a: addInto(emptyAggregate(), r), cost: decimalToNumber(r.cost) }))
    .sort((x, y) => y.cost - x.cost || y.a.requests - x.a.requests || x.userId.localeCompare(y.userId));
  const listed = ranked.slice(0, limit);
  const rest = ranked.slice(limit);
  const users = new Map(
    (
      await findUsersByIds(
        db,
        listed.map((u) => u.userId),
      )
    ).map((u) => [u.id, u]),
  );
  const restSum = rest.reduce((into: Aggregate, u) => addInto(into, u.a), emptyAggregate());
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    totals: totalsOf(total),
    users: listed.map(({ userId, a }) => ({
      user_id: userId,
      // A user deleted since keeps their past spend under their id.
      email: users.get(userId)?.email ?? null,
      name: users.get(userId)?.name ?? null,
      ...totalsOf(a),
      cost_share: costShare(a.cost, total.cost),
    })),
    other:
      rest.length > 0
        ? { users: rest.length, ...totalsOf(restSum), cost_share: costShare(restSum.cost, total.cost) }
        : null,
  };
}
