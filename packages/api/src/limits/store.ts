import type { BucketState } from "./gcra";

/**
 * The counters behind budgets and rate limits: Redis (one Lua call per step) in production,
 * process memory in embedded mode. Both implement exactly the same semantics; the limiter on
 * top of them (limiter.ts) is shared.
 */

/** Per-minute limits of the four buckets, 0 for none: user requests, user tokens, key requests, key tokens. */
export type BucketLimits = readonly [number, number, number, number];

export interface AdmitInput {
  userId: string;
  keyId: string;
  /** "YYYY-MM": whose spend counter the budget is checked against. */
  month: string;
  reservationId: string;
  amountNano: bigint;
  /** null: reserve but do not refuse (no limit, or soft mode). */
  limitNano: bigint | null;
  ttlMs: number;
  limits: BucketLimits;
  tokens: number;
  /** Injected clock; absent = the store's own (Redis TIME, shared by every replica). */
  now?: number;
  /**
   * Asks for a lease (see leases.ts): reserve for up to `quantity` calls like this one at once
   * when every limit leaves wide headroom. `only`: a lease or nothing, for a refill that admits
   * no call of its own. A store may always answer with a single call (the memory store does).
   */
  lease?: { quantity: number; only: boolean };
}

export type AdmitOutcome =
  | { kind: "seed" }
  | { kind: "budget"; spentNano: bigint; reservedNano: bigint }
  | { kind: "rate"; bucket: number; retryAfterMs: number; states: (BucketState | null)[] }
  /** A lease-only admission found too little headroom: nothing was reserved. */
  | { kind: "nolease" }
  /**
   * This reservation id was already admitted or cancelled (a command re-sent after a dropped
   * connection, or one that arrived after its cancel): nothing was reserved by this run.
   */
  | { kind: "duplicate" }
  | {
      kind: "ok";
      spentNano: bigint;
      reservedNano: bigint;
      states: (BucketState | null)[];
      /** Calls reserved for: 1, or a lease's quantity (amount, requests and tokens × granted). */
      granted: number;
    };

export interface SettleInput {
  userId: string;
  keyId: string;
  /** Month the cost is booked to: the month at settle time, as its usage row will be. */
  month: string;
  reservationId: string;
  /** null releases the reservation without booking anything. */
  actualNano: bigint | null;
  /** Actual minus reserved tokens, to correct the token buckets. */
  tokenDelta: number;
  /** Token limits of the user and key buckets as admitted (0 = none). */
  userTpm: number;
  keyTpm: number;
  /** Actual minus reserved requests (a lease's unused ones come back: <= 0), with the RPM limits. */
  requestDelta?: number;
  userRpm?: number;
  keyRpm?: number;
  /** Left reserved for calls still in flight (a lease closed early); 0 / absent drops the reservation. */
  keepNano?: bigint;
  now?: number;
}

/** Undoes an admission whose answer never arrived (see CounterStore.cancel). */
export interface CancelInput {
  userId: string;
  keyId: string;
  reservationId: string;
  /** The admission's amount, tokens and bucket limits, per call. */
  amountNano: bigint;
  tokens: number;
  limits: BucketLimits;
  ttlMs: number;
  now?: number;
}

/** Spend before and after booking; null when the month's counter did not exist (not seeded). */
export interface SettleOutcome {
  beforeNano: bigint | null;
  afterNano: bigint | null;
}

export type ReconcileAction = "seeded" | "raised" | "lowered" | "kept";

export interface CounterStore {
  readonly kind: "redis" | "memory";
  admit(input: AdmitInput): Promise<AdmitOutcome>;
  settle(input: SettleInput): Promise<SettleOutcome>;
  /**
   * For an admission given up on (timed out on our side, or answered `duplicate`): drops its
   * reservation and gives back its rate-limit charge if it was made, and otherwise makes a
   * later arrival of that admission a no-op, so no answer that comes late can leave either
   * behind. Safe to repeat.
   */
  cancel(input: CancelInput): Promise<void>;
  /** Creates the month's counter at `spentNano` unless it exists (first writer wins). */
  seed(userId: string, month: string, spentNano: bigint): Promise<void>;
  /** In-flight reservations, after dropping expired ones. */
  reserved(userId: string, now?: number): Promise<bigint>;
  /** Settle sequence of the month's counter, read before the database is (see reconcile). */
  settleSequence(userId: string, month: string): Promise<string | null>;
  /**
   * Aligns the counter with the database's `dbNano`: upward to `settledNano` (default dbNano),
   * the spend of rows old enough that their cost must have been booked, so a lower counter lost
   * something (a row's cost may wait in a lease for a moment after the row is written, and
   * raising to rows that recent would count it twice); downward only when no settle happened
   * since `sequence` was read and the last one is older than `graceMs`, i.e. every booked call
   * has had time to write its row.
   */
  reconcile(
    userId: string,
    month: string,
    dbNano: bigint,
    sequence: string | null,
    graceMs: number,
    now?: number,
    settledNano?: bigint,
  ): Promise<ReconcileAction>;
}
