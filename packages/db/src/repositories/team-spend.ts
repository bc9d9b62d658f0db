import { type Kysely, sql } from "kysely";
import type { Database } from "../types";
import type { SpendBucket } from "./budgets";

/**
 * A team's recorded spend per UTC day in [from, to), only the days that have rows: the calls
 * its members' team keys made while the key counted for the team (`requests.team_id`, set at
 * call time), as spendBuckets reads a user's.
 */
export async function teamSpendBuckets(
  db: Kysely<Database>,
  teamId: string,
  from: Date,
  to: Date,
): Promise<SpendBucket[]> {
  const bucket = sql<Date>`(date_trunc('day', created_at at time zone 'UTC') at time zone 'UTC')`;
  const rows = await db
    .selectFrom("requests")
    .select([
      bucket.as("bucket"),
      (eb) => eb.fn.coalesce(eb.fn.sum<string>("total_cost"), eb.val("0")).as("spent"),
      (eb) => eb.fn.countAll<number>().as("requests"),
    ])
    .where("team_id", "=", teamId)
    .where("created_at", ">=", from)
    .where("created_at", "<", to)
    .groupBy(bucket)
    .orderBy(bucket)
    .execute();
  return rows.map((r) => ({
    bucket: new Date(r.bucket),
    spent: String(r.spent),
    requests: Number(r.requests),
  }));
}
