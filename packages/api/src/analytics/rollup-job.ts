import {
  countRowsSince,
  type Database,
  lockRollups,
  readRollupState,
  rebuildRollups,
  recordRollupFailure,
  recordRollupSuccess,
  rolledUpRows,
  rollupSince,
  snapshotWatermark,
} from "@llmg/db";
import type { Kysely } from "kysely";

export interface RollupOptions {
  /**
   * "incremental" (the scheduled job): recompute only the buckets holding rows past the
   * watermark. "rebuild": drop and recompute every bucket from `from` (all when null), then
   * catch up on anything older past the watermark.
   */
  mode?: "incremental" | "rebuild";
  from?: Date | null;
  /** Wait for a run in progress (CLI) rather than skip this one (scheduled job). */
  wait?: boolean;
}

export interface RollupResult {
  mode: "incremental" | "rebuild" | "skipped";
  /** Request rows past the previous watermark (new or late). */
  rows: number;
  /** Hourly buckets written. */
  buckets: number;
  watermark: number;
  duration_ms: number;
}

/**
 * The rollup processor (BullMQ job, embedded timer and CLI alike). Idempotent: buckets are
 * recomputed from their source rows and upserted, never incremented, so a retry or a second
 * run recomputes the same numbers; runs are serialised by an advisory lock in one transaction,
 * and the watermark moves only when that transaction commits.
 */
export async function runUsageRollup(
  db: Kysely<Database>,
  options: RollupOptions = {},
): Promise<RollupResult> {
  const started = new Date();
  const t0 = performance.now();
  try {
    return await db.transaction().execute(async (trx) => {
      if (!(await lockRollups(trx, options.wait ?? false))) {
        return { mode: "skipped", rows: 0, buckets: 0, watermark: -1, duration_ms: 0 } satisfies RollupResult;
      }
      // After the lock, before any row is read: see snapshotWatermark.
      const previous = (await readRollupState(trx))?.watermark ?? 0;
      const watermark = Math.max(previous, await snapshotWatermark(trx));
      let rows: number;
      let buckets = 0;
      let mode: RollupResult["mode"] = "incremental";
      if (options.mode === "rebuild" || previous === 0) {
        // A first run has no watermark to start from: one pass over everything is far cheaper.
        mode = "rebuild";
        const from = previous === 0 ? null : (options.from ?? null);
        buckets = await rebuildRollups(trx, from, watermark);
        rows = await rolledUpRows(trx, from);
        if (from) buckets += await rollupSince(trx, previous, watermark);
      } else {
        rows = await countRowsSince(trx, previous, watermark);
        if (rows > 0) buckets = await rollupSince(trx, previous, watermark);
      }
      const duration_ms = Math.round(performance.now() - t0);
      await recordRollupSuccess(trx, {
        watermark,
        startedAt: started,
        durationMs: duration_ms,
        rows,
        buckets,
      });
      return { mode, rows, buckets, watermark, duration_ms } satisfies RollupResult;
    });
  } catch (error) {
    await recordRollupFailure(db, (error as Error).message).catch(() => {});
    throw error;
  }
}

/**
 * Runs until the watermark has passed every committed row. The watermark cannot pass a
 * transaction still open anywhere on the server (other databases included), so one run may
 * leave rows for the next; tests and backfills that need everything rolled up wait here.
 */
export async function catchUpRollups(
  db: Kysely<Database>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<RollupResult[]> {
  const results: RollupResult[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    results.push(await runUsageRollup(db, { wait: true }));
    const watermark = (await readRollupState(db))?.watermark ?? 0;
    if ((await countRowsSince(db, watermark)) === 0) return results;
    if (Date.now() > deadline) throw new Error("usage rollups did not catch up: a transaction stays open");
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
