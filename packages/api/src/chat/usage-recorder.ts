import { type Database, insertUsageRows, type UsageRowValues } from "@llmg/db";
import type { Kysely } from "kysely";
import { ApiError } from "../errors";
import type { Logger } from "../services";
import { cleanUsageRow } from "./usage-row-clean";

export interface UsageRecorderStats {
  /** Rows committed. */
  rowsWritten: number;
  /** Rows the database refused for their content even alone: logged with their request id, lost. */
  rowsFailed: number;
  /** Rows whose strings lost NUL characters or lone surrogates before queueing. */
  rowsCleaned: number;
  /** Rows with a count or duration outside its column's range, clamped before queueing. */
  rowsClamped: number;
  /** Multi-row INSERTs that failed and were retried row by row. */
  batchesRetried: number;
  /** Calls refused at admission (503 usage_backlog) because the queue stayed full. */
  callsRefused: number;
  /** Rows queued or being written right now. */
  backlog: number;
}

export interface UsageRecorder {
  /**
   * Called before a call is admitted: resolves at once while the backlog is under its bound,
   * otherwise waits (bounded) for room and then throws ApiError usage_backlog (503). Rows of
   * calls already running are never refused; new calls are, so memory stays bounded.
   */
  admit(): Promise<void>;
  /**
   * Resolves once the row is committed, or once the database refused the row itself for its
   * content (counted and logged: retrying could never succeed, and the caller keeps its answer).
   * Rejects with ApiError usage_unavailable (503) when the database could not be reached: that
   * row might be lost, so its call must not be answered as a success.
   */
  record(row: UsageRowValues): Promise<void>;
  /** Waits for every queued row to be written. */
  drain(): Promise<void>;
  stats(): UsageRecorderStats;
}

export interface UsageRecorderOptions {
  waitForFlush?: boolean;
  maxBatch?: number;
  /** Backlog (rows queued or being written) past which new calls wait at admission. */
  maxQueue?: number;
  /** How long a new call waits for room before it is refused. */
  admitWaitMs?: number;
  logger?: Pick<Logger, "error">;
}

interface Pending {
  row: UsageRowValues;
  resolve(): void;
  reject(error: unknown): void;
}

/** How long a call waits at admission for the backlog to shrink before its 503. */
export const USAGE_ADMIT_WAIT_MS = 2_000;

// SQLSTATE classes where the row's own content is at fault, so the same row can never succeed:
// 22 data exception (NUL, bad JSON, out of range), 23 integrity (the user was deleted mid-call),
// 54 program limit (a body nested too deep). Anything else (connection lost, shutdown, timeouts,
// a schema error of ours) says nothing against the row and may hit every row.
const ROW_FAULT_CLASSES = new Set(["22", "23", "54"]);

function isRowFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.length === 5 && ROW_FAULT_CLASSES.has(code.slice(0, 2));
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Group commit: while one INSERT is in flight, rows that arrive wait and go together in the next
 * one. A lone request pays one round trip as before; under load, N requests share a commit. Every
 * caller still waits for the commit of its own row, so nothing acknowledged can be lost.
 *
 * One bad row must not fail the others: rows are cleaned before they are queued, and a batch
 * the database refuses is retried row by row, so only the guilty row is lost (and counted).
 */
export function createUsageRecorder(db: Kysely<Database>, options: UsageRecorderOptions = {}): UsageRecorder {
  const maxBatch = options.maxBatch ?? 200;
  const maxQueue = options.maxQueue ?? 10_000;
  const admitWaitMs = options.admitWaitMs ?? USAGE_ADMIT_WAIT_MS;
  const insertOptions = { waitForFlush: options.waitForFlush ?? true };
  const logger = options.logger;
  const counts = {
    rowsWritten: 0,
    rowsFailed: 0,
    rowsCleaned: 0,
    rowsClamped: 0,
    batchesRetried: 0,
    callsRefused: 0,
  };
  let queue: Pending[] = [];
  let writing = 0;
  let inFlight: Promise<void> | undefined;
  const waiters = new Set<() => void>();

  const backlog = () => queue.length + writing;

  function wakeWaiters(): void {
    if (waiters.size === 0 || backlog() >= maxQueue) return;
    for (const wake of waiters) wake();
    waiters.clear();
  }

  function unavailable(error: unknown): ApiError {
    return new ApiError(
      "usage_unavailable",
      "The call could not be recorded (usage database unavailable), so it is not answered as a success",
      { cause: error },
    );
  }

  function lost(p: Pending, error: unknown): void {
    counts.rowsFailed += 1;
    logger?.error(
      {
        request_id: p.row.id,
        user_id: p.row.user_id,
        code: (error as { code?: unknown } | null)?.code,
        err: error instanceof Error ? error.message : String(error),
      },
      "usage row refused by the database for its content; the call keeps its answer, the row is lost",
    );
    p.resolve();
  }

  /** After a failed batch: each row alone, so only the rows at fault are lost. */
  async function oneByOne(batch: Pending[]): Promise<void> {
    counts.batchesRetried += 1;
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i] as Pending;
      try {
        await insertUsageRows(db, [p.row], insertOptions);
        counts.rowsWritten += 1;
        p.resolve();
      } catch (error) {
        if (isRowFault(error)) {
          lost(p, error);
          continue;
        }
        // The database itself is failing: no point trying the rest one by one.
        const failure = unavailable(error);
        for (const rest of batch.slice(i)) rest.reject(failure);
        return;
      }
    }
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    try {
      await insertUsageRows(
        db,
        batch.map((p) => p.row),
        insertOptions,
      );
      counts.rowsWritten += batch.length;
      for (const p of batch) p.resolve();
    } catch (error) {
      if (batch.length > 1) return oneByOne(batch);
      const p = batch[0] as Pending;
      if (isRowFault(error)) lost(p, error);
      else p.reject(unavailable(error));
    }
  }

  async function writeBatches(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      writing += batch.length;
      try {
        await writeBatch(batch);
      } finally {
        wakeWaiters();
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

  function waitForRoom(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        counts.callsRefused += 1;
        reject(
          new ApiError(
            "usage_backlog",
            "The gateway is behind on recording usage; try again shortly (the provider was not called)",
            { retryAfter: Math.max(1, Math.ceil(admitWaitMs / 1000)) },
          ),
        );
      }, admitWaitMs);
      waiters.add(wake);
    });
  }

  return {
    admit() {
      return backlog() < maxQueue ? RESOLVED : waitForRoom();
    },
    record(input) {
      const { row, cleaned, clamped } = cleanUsageRow(input);
      if (cleaned) counts.rowsCleaned += 1;
      if (clamped) counts.rowsClamped += 1;
      return new Promise<void>((resolve, reject) => {
        // Every row is counted in `writing` from the moment its batch is taken until it settles.
        queue.push({
          row,
          resolve: () => {
            writing -= 1;
            resolve();
          },
          reject: (error) => {
            writing -= 1;
            reject(error);
          },
        });
        kick();
      });
    },
    async drain() {
      while (inFlight) await inFlight;
    },
    stats() {
      return { ...counts, backlog: backlog() };
    },
  };
}
