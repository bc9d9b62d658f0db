import { ApiError } from "../errors";

/**
 * The chat calls this process is serving, so a shutdown can wait for them and, past its grace,
 * abort the rest in a way that still records them: the abort reason is an ApiError the adapter
 * hands back (see send.ts), so the call ends through its ordinary error path, which settles or
 * releases its reservation and writes its usage row with the partial usage.
 */
export interface InflightCalls {
  /** True from the start of a drain: new calls are refused and /readyz answers 503. */
  readonly draining: boolean;
  readonly size: number;
  /** Runs one call with a signal that aborts when the drain's grace ends. */
  track<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * Refuses new calls, waits up to `graceMs` for the running ones, aborts those still running
   * and waits up to `settleMs` more for them to record their rows.
   */
  drain(graceMs: number, settleMs: number): Promise<DrainResult>;
}

export interface DrainResult {
  /** Calls running when the drain began. */
  running: number;
  /** Calls aborted at the end of the grace. */
  aborted: number;
  /** Calls still not done when the drain gave up waiting (their rows may be missing). */
  abandoned: number;
}

export const shuttingDown = () =>
  new ApiError("shutdown", "The gateway is shutting down; retry on another replica");

export function createInflightCalls(): InflightCalls {
  const calls = new Set<AbortController>();
  let draining = false;
  let onEmpty: (() => void) | undefined;

  const emptied = (ms: number) =>
    new Promise<void>((resolve) => {
      if (calls.size === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      onEmpty = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    get draining() {
      return draining;
    },
    get size() {
      return calls.size;
    },
    async track(run) {
      if (draining) throw shuttingDown();
      const controller = new AbortController();
      calls.add(controller);
      try {
        return await run(controller.signal);
      } finally {
        calls.delete(controller);
        if (calls.size === 0) onEmpty?.();
      }
    },
    async drain(graceMs, settleMs) {
      draining = true;
      const running = calls.size;
      await emptied(graceMs);
      const aborted = calls.size;
      for (const controller of calls) controller.abort(shuttingDown());
      await emptied(settleMs);
      onEmpty = undefined;
      return { running, aborted, abandoned: calls.size };
    },
  };
}
