import type { BucketState } from "./gcra";

/**
 * The counters behind budgets and rate limits: Redis (one Lua call per step) in production,
 * process memory in embedded mode. Both implement exactly the same semantics; the limiter on
 * top of them (limiter.ts) is shared.
 */

/** Per-minute limits of the four buckets, 0 for none: user requests, user tokens, key requests, key tokens. */
export type BucketLimits = readonly [number, number, number, number];

/** Per-minute limits of a team's two buckets (requests, tokens), 0 for none. */
export type TeamLimits = readonly [number, number];

/**
 * One budget level of a call besides its user's (see levels.ts), as the store holds it: a spend
 * counter per period and the reservations of calls in flight, checked and reserved in the same
 * atomic step as the user's budget. All levels of a call reserve the same amount under the same
 * reservation id, so a settle or cancel treats them alike.
 */
export interface LevelCounter {
  /** levelName(): "key:<id>", "team:<id>", "tag:<tag>", "run:<id>", or "par:<keyId>". */
  name: string;
  /** The spend counter's period ("YYYY-MM", "YYYY-MM-DD", "total"); "" for a calls level. */
  period: string;
  /** The most it may hold: nano-USD, or calls in flight for a calls level. */
  limit: bigint;
  /** A cap on calls in flight (a key's max_parallel): reserves 1 per call, books nothing. */
  calls?: boolean;
}

/**
 * Where a level's counters live: a team's are shared by its members, so they are filed under the
 * team's hash tag; the others (key, tag, run, max_parallel) with the user's own, in its home.
 */
export const levelHome = (home: string, name: string) => (name.startsWith("team:") ? `{${name}}` : home);

/** Who a call's counters belong to, besides its user: its key and the team it counts for. */
interface CounterOwner {
  userId: string;
  /** Where the user's counters live (see home.ts): every key of the call shares its hash tag. */
  home: string;
  keyId: string;
  /** The team whose counters (team level, team buckets) the call touches; absent = none. */
  teamId?: string | null | undefined;
  levels?: readonly LevelCounter[] | undefined;
}

export interface AdmitInput extends CounterOwner {
  /** "YYYY-MM": whose spend counter the budget is checked against. */
  month: string;
  reservationId: string;
  amountNano: bigint;
  /** null: reserve but do not refuse (no limit, or soft mode). */
  limitNano: bigint | null;
  ttlMs: number;
  limits: BucketLimits;
  /** The team's buckets (needs teamId); absent = none. */
  teamLimits?: TeamLimits | undefined;
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
  /** The home named is retired (the user's counters moved since its settings were read). */
  | { kind: "moved" }
  /** Counters to seed before admitting: -1 the user's month, i the levels[i]. */
  | { kind: "seed"; levels: number[] }
  /** Refused by the user's budget (level absent) or by levels[level]. */
  | { kind: "budget"; spentNano: bigint; reservedNano: bigint; level?: number }
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

export interface SettleInput extends CounterOwner {
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
  /** The team's bucket limits as admitted (0 = none). */
  teamRpm?: number;
  teamTpm?: number;
  /** Left reserved for calls still in flight (a lease closed early); 0 / absent drops the reservation. */
  keepNano?: bigint;
  now?: number;
}

/** Undoes an admission whose answer never arrived (see CounterStore.cancel). */
export interface CancelInput extends CounterOwner {
  reservationId: string;
  /** The admission's amount, tokens and bucket limits, per call. */
  amountNano: bigint;
  tokens: number;
  limits: BucketLimits;
  teamLimits?: TeamLimits | undefined;
  ttlMs: number;
  now?: number;
}

export interface SpendChange {
  beforeNano: bigint | null;
  afterNano: bigint | null;
}

/** Spend before and after booking; null when the month's counter did not exist (not seeded). */
export interface SettleOutcome extends SpendChange {
  /** The same for each level, in the input's order (null for calls levels). */
  levels: SpendChange[];
}

export type ReconcileAction = "seeded" | "raised" | "lowered" | "kept";

export interface CounterStore {
  readonly kind: "redis" | "memory";
  /** Redis Cluster: every key of one step must hash to one slot (see home.ts). */
  readonly oneSlot: boolean;
  admit(input: AdmitInput): Promise<AdmitOutcome>;
  settle(input: SettleInput): Promise<SettleOutcome>;
  /**
   * For an admission given up on (timed out on our side, or answered `duplicate`): drops its
   * reservation and gives back its rate-limit charge if it was made, and otherwise makes a
   * later arrival of that admission a no-op, so no answer that comes late can leave either
   * behind. Safe to repeat.
   */
  cancel(input: CancelInput): Promise<void>;
  /**
   * Marks a home the user's counters have left (a team membership moved them, see home.ts):
   * from then on an admission that names it answers `moved`, so a replica still holding the old
   * home in its settings cache reads them again instead of booking to counters nobody else reads.
   */
  retire(home: string): Promise<void>;
  /** Creates the month's counter at `spentNano` unless it exists (first writer wins). */
  seed(home: string, month: string, spentNano: bigint): Promise<void>;
  /** The same for a level's counter of `level.period`. */
  seedLevel(home: string, level: LevelCounter, spentNano: bigint): Promise<void>;
  /** In-flight reservations, after dropping expired ones. */
  reserved(home: string, now?: number): Promise<bigint>;
  /**
   * Raises a level's counter to `settledNano` (the cost of its rows old enough that their cost
   * must have been booked) when it is lower: a settle was lost. Never lowers it, and does nothing
   * to a missing counter (the next call seeds it). True when raised.
   */
  raiseLevel(home: string, level: LevelCounter, settledNano: bigint): Promise<boolean>;
  /** The same for one level (calls in flight for a calls level). */
  reservedLevel(home: string, name: string, now?: number): Promise<bigint>;
  /** Settle sequence of the month's counter, read before the database is (see reconcile). */
  settleSequence(home: string, month: string): Promise<string | null>;
  /**
   * Aligns the counter with the database's `dbNano`: upward to `settledNano` (default dbNano),
   * the spend of rows old enough that their cost must have been booked, so a lower counter lost
   * something (a row's cost may wait in a lease for a moment after the row is written, and
   * raising to rows that recent would count it twice); downward only when no settle happened
   * since `sequence` was read and the last one is older than `graceMs`, i.e. every booked call
   * has had time to write its row.
   */
  reconcile(
    home: string,
    month: string,
    dbNano: bigint,
    sequence: string | null,
    graceMs: number,
    now?: number,
    settledNano?: bigint,
  ): Promise<ReconcileAction>;
}
