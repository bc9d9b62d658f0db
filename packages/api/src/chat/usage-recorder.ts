import { type Database, insertUsageRows, type UsageRowValues } from "@llmg/db";
import type { Kysely } from "kysely";

export interface UsageRecorder {
  /** Resolves once the row is committed: only then may the call be answered as a success. */
  record(row: UsageRowValues): Promise<void>;
  /** Waits for every queued row to be written. */
  drain(): Promise<void>;
}

interface Pending {
  row: UsageRowValues;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: while one INSERT is in flight, rows that arrive wait and go together in the next
 * one. A lone request pays one round trip as before; under load, N requests share a commit. Every
 * caller still waits for the commit of its own row, so nothing acknowledged can be lost.
 */
export function createUsageRecorder(
  db: Kysely<Database>,
  options: { waitForFlush?: boolean; maxBatch?: number } = {},
): UsageRecorder {
  const maxBatch = options.maxBatch ?? 200;
  const insertOptions = { waitForFlush: options.waitForFlush ?? true };
  let queue: Pending[] = [];
  let inFlight: Promise<void> | undefined;

  async function writeBatches(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        await insertUsageRows(
          db,
          batch.map((p) => p.row),
          insertOptions,
        );
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  function kick(): void {
    if (inFlight) return;
    inFlight = writeBatches().finally(() => {
      inFlight = undefined;
      if (queue.length > 0) kick();
    });
  }

  return {
    record(row) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        kick();
      });
    },
    async drain() {
      while (inFlight) await inFlight;
    },
  };
}
