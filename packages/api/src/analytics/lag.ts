import { countRowsSince, type Database, readRollupState } from "@llmg/db";
import type { Kysely } from "kysely";

/** Past this, the rollup worker is reported as lagging (it runs every minute). */
const LAGGING_AFTER_S = 300;
// Counting a huge backlog exactly would make the readiness probe itself slow.
const ROWS_BEHIND_CAP = 1_000_000;

export interface RollupLag {
  status: "ok" | "lagging" | "never_ran";
  last_success_at: string | null;
  lag_seconds: number | null;
  /** Request rows past the watermark (capped at 1,000,000). */
  rows_behind: number;
  last_error: string | null;
}

/**
 * How far the usage rollups trail the request rows, for /readyz. Informational: analytics stay
 * exact while the worker lags (they read the tail raw), they only get slower.
 */
export async function rollupLag(db: Kysely<Database>, now: number = Date.now()): Promise<RollupLag> {
  const state = await readRollupState(db);
  const rowsBehind = await countRowsSince(db, state?.watermark ?? 0, undefined, ROWS_BEHIND_CAP);
  const last = state?.last_success_at ?? null;
  const lag = last ? Math.max(0, Math.round((now - last.getTime()) / 1000)) : null;
  return {
    status: lag === null ? "never_ran" : lag > LAGGING_AFTER_S ? "lagging" : "ok",
    last_success_at: last?.toISOString() ?? null,
    lag_seconds: lag,
    rows_behind: rowsBehind,
    last_error: state?.last_error ?? null,
  };
}
