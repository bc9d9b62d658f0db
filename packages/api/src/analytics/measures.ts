import {
  type Database,
  type MeasureFilters,
  type MeasureGrouping,
  type MeasureRow,
  type MeasureScope,
  probeWindow,
  queryMeasures,
} from "@llmg/db";
import type { Kysely } from "kysely";
import { planSources } from "./plan";

export interface MeasureRequest {
  /** null: every user's usage (the admin's spend by user). */
  userId: MeasureScope;
  from: Date;
  to: Date;
  grouping: MeasureGrouping;
  filters?: MeasureFilters;
}

/**
 * Usage over [from, to), current to the last committed request: rollups for closed buckets,
 * raw rows for the tail the rollups have not seen, each row read from exactly one. The
 * watermark and the rows are read in one REPEATABLE READ snapshot: a rollup run committing in
 * between would otherwise move rows from the tail into the rollups under the reader's feet.
 */
export async function readMeasures(db: Kysely<Database>, request: MeasureRequest): Promise<MeasureRow[]> {
  // Daily rollups cannot answer hourly buckets.
  const useDays = request.grouping.bucket !== "hour";
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      const probe = await probeWindow(trx, request.userId, request.from, request.to);
      const plan = planSources(request.from.getTime(), request.to.getTime(), probe, useDays);
      return queryMeasures(trx, request.userId, plan, request.grouping, request.filters ?? {});
    });
}
