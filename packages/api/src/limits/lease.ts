import { type BucketState, RATE_PERIOD_MS } from "./gcra";
import type { BudgetLevel } from "./levels";
import type { BucketLimits, LevelCounter, SettleInput, TeamLimits } from "./store";

/**
 * What a lease is for: one user and key in one month, with the same team and budget levels,
 * under the limits it was granted with.
 */
export interface LeaseScope {
  userId: string;
  /** Where the user's counters live (see home.ts): a lease reserves in one home only. */
  home: string;
  keyId: string;
  month: string;
  limits: BucketLimits;
  /** null: the budget does not refuse (unlimited or soft mode). */
  limitNano: bigint | null;
  teamId?: string | null | undefined;
  teamLimits?: TeamLimits | undefined;
  /** The call's budget levels (never a calls level: those are not leased). */
  levels?: readonly LevelCounter[] | undefined;
  /** The same levels as the limiter knows them, for their alerts (not part of the scope's identity). */
  alertLevels?: readonly BudgetLevel[] | undefined;
}

const sameLevels = (a: readonly LevelCounter[] = [], b: readonly LevelCounter[] = []) =>
  a.length === b.length &&
  a.every((l, i) => l.name === b[i]?.name && l.period === b[i]?.period && l.limit === b[i]?.limit);

/** The limits of all six buckets: user, key, team (see ADMIT_SCRIPT). */
export const allBucketLimits = (scope: Pick<LeaseScope, "limits" | "teamLimits">): number[] => [
  ...scope.limits,
  ...(scope.teamLimits ?? [0, 0]),
];

/** One call's share of a lease: its maximum cost and tokens, as a per-call reservation would hold. */
export interface LeaseCall {
  amountNano: bigint;
  maxTokens: number;
}

export const sameScope = (a: LeaseScope, b: LeaseScope) =>
  a.userId === b.userId &&
  a.home === b.home &&
  a.keyId === b.keyId &&
  a.month === b.month &&
  a.limitNano === b.limitNano &&
  (a.teamId ?? null) === (b.teamId ?? null) &&
  allBucketLimits(a).every((limit, i) => limit === allBucketLimits(b)[i]) &&
  sameLevels(a.levels, b.levels);

/**
 * A lease: one reservation in Redis sized for `quantity` calls (amount, requests in each RPM
 * bucket, tokens in each TPM bucket), from which this replica admits calls with no round trip.
 * It mirrors exactly what per-call reservations would have held in Redis: room is what is left
 * after in-flight calls' maximums and settled calls' actual figures, so the lease never admits
 * more than its reservation covers, and its settles book only what calls really cost.
 *
 * `held*` is what Redis holds for it right now; a sync moves Redis to the lease's true state.
 */
export class Lease {
  admitted = 0;
  inflight = 0;
  inflightNano = 0n;
  inflightTokens = 0;
  /** Actual cost and tokens of the calls settled (released calls count as 0 tokens, as per call). */
  usedNano = 0n;
  usedTokens = 0;
  /** Settled in the lease's month and not yet booked to its counter. */
  pendingNano = 0n;
  pendingSettles = 0;
  heldNano: bigint;
  heldTokens: number;
  heldRequests: number;
  state: "open" | "retired" | "closed" = "open";
  /** Redis steps of this lease, one after the other, so each sees the previous one's state. */
  chain: Promise<void> = Promise.resolve();
  closing: Promise<void> | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Books finished calls while a retired lease waits for a long one (see bookLater). */
  booking: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly scope: LeaseScope,
    readonly quantity: number,
    readonly amountNano: bigint,
    readonly tokens: number,
    /** Local clock when granted, and each bucket's TAT then relative to it (null: inactive). */
    readonly grantedAt: number,
    readonly tatOffsets: (number | null)[],
    /** performance.now() of the grant: a lease's age is measured on a monotonic clock. */
    readonly bornAt: number,
  ) {
    this.heldNano = amountNano;
    this.heldTokens = tokens;
    this.heldRequests = quantity;
  }

  private get tokenLimited() {
    return allBucketLimits(this.scope).some((limit, i) => i % 2 === 1 && limit > 0);
  }

  nanoRoom() {
    return this.amountNano - this.inflightNano - this.usedNano;
  }

  tokenRoom() {
    return this.tokens - this.inflightTokens - this.usedTokens;
  }

  fits(call: LeaseCall): boolean {
    return (
      this.state === "open" &&
      this.admitted < this.quantity &&
      this.nanoRoom() >= call.amountNano &&
      (!this.tokenLimited || this.tokenRoom() >= call.maxTokens)
    );
  }

  /** Under half of any dimension left: time to fetch the next lease in the background. */
  low(): boolean {
    return (
      this.nanoRoom() * 2n < this.amountNano ||
      (this.quantity - this.admitted) * 2 < this.quantity ||
      (this.tokenLimited && this.tokenRoom() * 2 < this.tokens)
    );
  }

  take(call: LeaseCall) {
    this.admitted++;
    this.inflight++;
    this.inflightNano += call.amountNano;
    this.inflightTokens += call.maxTokens;
  }

  finish(call: LeaseCall, actualNano: bigint | null, actualTokens: number, settledInMonth: boolean) {
    this.inflight--;
    this.inflightNano -= call.amountNano;
    this.inflightTokens -= call.maxTokens;
    if (actualNano === null) return;
    this.usedNano += actualNano;
    this.usedTokens += actualTokens;
    if (settledInMonth) {
      this.pendingNano += actualNano;
      this.pendingSettles++;
    }
  }

  /**
   * Bucket states as if each admitted call had been charged on its own: the TAT Redis holds
   * minus what the lease has not used yet. Other replicas' calls since the grant are not seen:
   * the headers lag by at most the lease's lifetime.
   */
  states(now: number): (BucketState | null)[] {
    return allBucketLimits(this.scope).map((limit, i) => {
      const offset = this.tatOffsets[i];
      if (limit <= 0 || offset === null || offset === undefined) return null;
      const interval = RATE_PERIOD_MS / limit;
      const unused = i % 2 === 0 ? this.quantity - this.admitted : this.tokenRoom();
      const resetMs = Math.max(0, this.grantedAt + offset - unused * interval - now);
      return {
        limit,
        remaining: Math.max(0, Math.floor((RATE_PERIOD_MS - resetMs) / interval + 1e-9)),
        resetMs,
      };
    });
  }

  /**
   * The settle that moves Redis to the lease's state: books what was settled since the last
   * one, returns unused requests and tokens, and keeps reserved only what calls still in flight
   * may cost (`final`: none are, the reservation goes). Undefined when Redis is already there.
   */
  nextSettle(final: boolean): SettleInput | undefined {
    const booked = this.pendingSettles > 0;
    const keepNano = final ? 0n : this.inflightNano;
    const tokens = this.usedTokens + (final ? 0 : this.inflightTokens);
    const requestDelta = this.admitted - this.heldRequests;
    const tokenDelta = tokens - this.heldTokens;
    if (!final && !booked && requestDelta === 0 && tokenDelta === 0 && keepNano === this.heldNano) return;
    const input: SettleInput = {
      userId: this.scope.userId,
      home: this.scope.home,
      keyId: this.scope.keyId,
      month: this.scope.month,
      reservationId: this.id,
      actualNano: booked ? this.pendingNano : null,
      tokenDelta,
      requestDelta,
      userRpm: this.scope.limits[0],
      userTpm: this.scope.limits[1],
      keyRpm: this.scope.limits[2],
      keyTpm: this.scope.limits[3],
      teamId: this.scope.teamId,
      teamRpm: this.scope.teamLimits?.[0] ?? 0,
      teamTpm: this.scope.teamLimits?.[1] ?? 0,
      levels: this.scope.levels,
      keepNano,
    };
    this.pendingNano = 0n;
    this.pendingSettles = 0;
    this.heldNano = keepNano;
    this.heldTokens = tokens;
    this.heldRequests = this.admitted;
    return input;
  }
}
