import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Admission } from "../chat/limits";
import type { Logger } from "../services";
import { rateLimitHeaders } from "./headers";
import { Lease, type LeaseCall, type LeaseScope, sameScope } from "./lease";
import { type BudgetLevel, periodAt } from "./levels";
import { usdToNano } from "./money";
import { monthKey } from "./period";
import type { BudgetSettings } from "./settings";
import type { AdmitInput, AdmitOutcome, CounterStore, SettleInput } from "./store";

/**
 * Leases take the two Redis round trips of a chat call (admit, settle) off the call's path when
 * a user is far from every limit: one replica reserves capacity for a batch of calls in one
 * admit, admits them locally, and books their summed actual cost in one settle. Near a limit
 * the admit script grants none (see ADMIT_SCRIPT), so every call there is exact per call.
 *
 * Consistency: this replica's reads of a user (reservedNano, GET /api/budget, reconcile) close
 * the user's leases first, so they are exact here; other replicas see a lease's calls booked at
 * most one lease lifetime (plus the calls' own duration) late, and meanwhile see its whole
 * reservation as in flight, which can only make them stricter.
 */
export interface LeaseOptions {
  /**
   * Calls a lease is asked for (the script may grant fewer). 32: a lease refilled at half costs
   * two round trips per 32 calls, ~1/16 of per call; more would raise the headroom bar (100 ×
   * the lease: a budget of 3,200 calls, 3,200 RPM) for a saving already near its limit.
   */
  quantity: number;
  /**
   * How long a lease admits calls. 1 s bounds how late other replicas see the spend and how
   * long unused capacity stays held, while a busy principal still makes dozens of calls in it.
   * Never more than half the reservation TTL, so a lease's calls finish within its reservation.
   */
  lifetimeMs: number;
}

export const DEFAULT_LEASE_OPTIONS: LeaseOptions = { quantity: 32, lifetimeMs: 1_000 };

export interface LeaseStats {
  /** Leases granted (by a call's admission or a background refill). */
  granted: number;
  /** Calls admitted from a lease without a round trip. */
  localAdmits: number;
  /** Leases whose reservation is still in Redis. */
  live: number;
}

export interface LeaseBookDeps {
  store: CounterStore;
  logger: Logger;
  options: LeaseOptions;
  ttlMs: number;
  timeoutMs: number;
  clock: (() => number) | undefined;
  withTimeout<T>(promise: Promise<T>, ms: number): Promise<T>;
  /** The limiter's settle: books in the store, fires crossed alerts, logs instead of throwing. */
  book(
    settings: BudgetSettings | undefined,
    input: SettleInput,
    levels?: readonly BudgetLevel[],
  ): Promise<void>;
  /** Cancels an admission whose answer was given up on (see CounterStore.cancel). */
  abandon(input: AdmitInput): void;
}

interface Slot {
  current?: Lease | undefined;
  /** A refilled lease waiting for the current one to run out. */
  next?: Lease | undefined;
  refilling?: Promise<void> | undefined;
  /** A call's admission is asking for a lease: concurrent ones need not ask too. */
  asking: boolean;
}

// Calls of one key with different levels (other tags, another run) hold separate leases: one
// lease reserves on exactly the counters of the calls it admits.
const slotKey = (s: LeaseScope) =>
  `${s.userId}\n${s.home}\n${s.keyId}\n${s.month}\n${(s.levels ?? []).map((l) => `${l.name}@${l.period}`).join("\t")}`;

/** The scope's counters moved to the periods containing `ms`; undefined if none moved. */
function movedCounters(scope: LeaseScope, ms: number) {
  const month = monthKey(ms);
  const levels = (scope.levels ?? []).map((l) => ({ ...l, period: periodAt(l.period, ms) }));
  const moved = month !== scope.month || levels.some((l, i) => l.period !== scope.levels?.[i]?.period);
  return moved ? { month, levels } : undefined;
}

export function createLeaseBook(deps: LeaseBookDeps) {
  const { store, logger, options, clock } = deps;
  const lifetimeMs = Math.min(options.lifetimeMs, deps.ttlMs / 2);
  const slots = new Map<string, Slot>();
  const live = new Set<Lease>();
  const settingsOf = new WeakMap<Lease, BudgetSettings>();
  const stats = { granted: 0, localAdmits: 0 };
  const localNow = () => clock?.() ?? Date.now();

  function dropIfEmpty(key: string, slot: Slot) {
    if (!slot.current && !slot.next && !slot.refilling && !slot.asking && slots.get(key) === slot) {
      slots.delete(key);
    }
  }

  const settle = (lease: Lease, input: SettleInput) =>
    deps.book(settingsOf.get(lease), input, lease.scope.alertLevels);

  /** Queues a sync of Redis to the lease (final: drop its reservation); resolves when done. */
  function sync(lease: Lease, final: boolean): Promise<void> {
    lease.chain = lease.chain.then(async () => {
      if (lease.state === "closed") return;
      if (final) lease.state = "closed";
      const input = lease.nextSettle(final);
      if (input) await settle(lease, input);
      if (final) live.delete(lease);
    });
    return lease.chain;
  }

  function detach(lease: Lease) {
    const key = slotKey(lease.scope);
    const slot = slots.get(key);
    if (!slot) return;
    if (slot.current === lease) slot.current = undefined;
    if (slot.next === lease) slot.next = undefined;
    dropIfEmpty(key, slot);
  }

  /**
   * No more admissions; closes once its calls are done. While a call of it is still in flight
   * (a long generation), what its finished calls cost is booked every lease lifetime
   * (bookLater): reconciliation counts on every cost being booked well within its grace.
   */
  function retire(lease: Lease) {
    if (lease.state === "open") {
      lease.state = "retired";
      clearTimeout(lease.timer);
      detach(lease);
    }
    bookLater(lease);
    return closeIfIdle(lease);
  }

  function bookLater(lease: Lease) {
    if (lease.state !== "retired" || lease.inflight === 0 || lease.booking) return;
    // Not on every finish: under load a retired lease's last calls end within milliseconds
    // and its close books them all in one settle.
    lease.booking = setTimeout(() => {
      lease.booking = undefined;
      if (lease.state !== "retired" || lease.inflight === 0) return;
      void sync(lease, false);
      bookLater(lease);
    }, lifetimeMs);
    lease.booking.unref();
  }

  function closeIfIdle(lease: Lease): Promise<void> | undefined {
    if (lease.state !== "retired" || lease.inflight > 0) return lease.closing;
    lease.closing ??= sync(lease, true);
    return lease.closing;
  }

  /** Retires the lease and brings Redis to its state now, calls in flight keeping their share. */
  function closeNow(lease: Lease): Promise<void> {
    return retire(lease) ?? sync(lease, false);
  }

  function newLease(scope: LeaseScope, settings: BudgetSettings, input: AdmitInput, outcome: AdmitOutcome) {
    if (outcome.kind !== "ok") throw new Error("a lease needs a granted admission");
    const grantedAt = localNow();
    const lease = new Lease(
      input.reservationId,
      scope,
      outcome.granted,
      input.amountNano * BigInt(outcome.granted),
      input.tokens * outcome.granted,
      grantedAt,
      outcome.states.map((s) => (s ? s.resetMs : null)),
      performance.now(),
    );
    settingsOf.set(lease, settings);
    live.add(lease);
    stats.granted++;
    lease.timer = setTimeout(() => void retire(lease), lifetimeMs);
    lease.timer.unref();
    return lease;
  }

  function refill(key: string, slot: Slot, scope: LeaseScope, settings: BudgetSettings, call: LeaseCall) {
    const at = clock?.();
    const input: AdmitInput = {
      userId: scope.userId,
      home: scope.home,
      keyId: scope.keyId,
      teamId: scope.teamId,
      levels: scope.levels,
      month: scope.month,
      reservationId: randomUUID(),
      amountNano: call.amountNano,
      limitNano: scope.limitNano,
      ttlMs: deps.ttlMs,
      limits: scope.limits,
      teamLimits: scope.teamLimits,
      tokens: call.maxTokens,
      lease: { quantity: options.quantity, only: true },
      ...(at !== undefined ? { now: at } : {}),
    };
    slot.refilling = deps
      .withTimeout(store.admit(input), deps.timeoutMs)
      .then((outcome) => {
        if (outcome.kind === "duplicate") deps.abandon(input);
        if (outcome.kind !== "ok") return;
        const lease = newLease(scope, settings, input, outcome);
        if (slot.next || slots.get(key) !== slot) void retire(lease);
        else slot.next = lease;
      })
      .catch((error: unknown) => {
        deps.abandon(input);
        logger.warn({ user_id: scope.userId, err: (error as Error).message }, "lease refill failed");
      })
      .finally(() => {
        slot.refilling = undefined;
        dropIfEmpty(key, slot);
      });
  }

  function admitFrom(lease: Lease, call: LeaseCall, key: string, slot: Slot): Admission {
    lease.take(call);
    const states = lease.states(localNow());
    const headers = rateLimitHeaders(
      [states[0] ?? null, states[2] ?? null, states[4] ?? null],
      [states[1] ?? null, states[3] ?? null, states[5] ?? null],
    );
    if (lease.admitted >= lease.quantity) void retire(lease);
    else if (lease.low() && !slot.refilling && !slot.next) {
      const settings = settingsOf.get(lease);
      if (settings) refill(key, slot, lease.scope, settings, call);
    }
    let done = false;
    const finish = async (actualNano: bigint | null, actualTokens: number) => {
      if (done) return;
      done = true;
      const moved = movedCounters(lease.scope, localNow());
      lease.finish(call, actualNano, actualTokens, moved === undefined);
      if (actualNano !== null && moved) {
        // Settled after a period turned: booked to the new periods' counters, as per call.
        await settle(lease, {
          userId: lease.scope.userId,
          home: lease.scope.home,
          keyId: lease.scope.keyId,
          teamId: lease.scope.teamId,
          month: moved.month,
          levels: moved.levels,
          reservationId: `${lease.id}:${moved.month}:${moved.levels.map((l) => l.period).join(",")}`,
          actualNano,
          tokenDelta: 0,
          userTpm: 0,
          keyTpm: 0,
        });
      }
      void closeIfIdle(lease);
    };
    return {
      headers,
      settle: (actualCostUsd, actualTokens) => finish(usdToNano(actualCostUsd, "up"), actualTokens),
      release: () => finish(null, 0),
    };
  }

  return {
    stats: (): LeaseStats => ({ ...stats, live: live.size }),

    /** Admits from this replica's lease when one has room; undefined: ask the store. */
    admitLocal(scope: LeaseScope, call: LeaseCall): Admission | undefined {
      const key = slotKey(scope);
      const slot = slots.get(key);
      if (!slot) return undefined;
      for (;;) {
        const lease = slot.current;
        const young = lease && performance.now() - lease.bornAt < lifetimeMs;
        if (lease && young && sameScope(lease.scope, scope) && lease.fits(call)) {
          stats.localAdmits++;
          return admitFrom(lease, call, key, slot);
        }
        if (lease) void retire(lease);
        if (!slot.next) return undefined;
        slot.current = slot.next;
        slot.next = undefined;
      }
    },

    /** The lease request for a call going to the store, unless one is already being fetched. */
    ask(scope: LeaseScope): AdmitInput["lease"] {
      const key = slotKey(scope);
      let slot = slots.get(key);
      if (!slot) {
        slot = { asking: false };
        slots.set(key, slot);
      }
      if (slot.asking || slot.refilling) return undefined;
      slot.asking = true;
      return { quantity: options.quantity, only: false };
    },

    asked(scope: LeaseScope) {
      const key = slotKey(scope);
      const slot = slots.get(key);
      if (!slot) return;
      slot.asking = false;
      dropIfEmpty(key, slot);
    },

    /** A call's admission granted a lease: the call is its first. */
    grant(
      scope: LeaseScope,
      settings: BudgetSettings,
      input: AdmitInput,
      outcome: AdmitOutcome,
      call: LeaseCall,
    ): Admission {
      const key = slotKey(scope);
      let slot = slots.get(key);
      if (!slot) {
        slot = { asking: false };
        slots.set(key, slot);
      }
      const lease = newLease(scope, settings, input, outcome);
      const previous = slot.current;
      slot.current = lease;
      if (previous) void retire(previous);
      return admitFrom(lease, call, key, slot);
    },

    /** Closes this replica's leases of a user (after in-flight refills land). */
    async closeTeam(teamId: string): Promise<void> {
      await Promise.all([...live].filter((l) => l.scope.teamId === teamId).map(closeNow));
    },

    async closeUser(userId: string): Promise<void> {
      const refills = [...slots.entries()]
        .filter(([key]) => key.startsWith(`${userId}\n`))
        .map(([, slot]) => slot.refilling);
      await Promise.all(refills);
      await Promise.all([...live].filter((l) => l.scope.userId === userId).map(closeNow));
    },

    async flush(): Promise<void> {
      await Promise.all([...slots.values()].map((slot) => slot.refilling));
      await Promise.all([...live].map(closeNow));
    },
  };
}

export type LeaseBook = ReturnType<typeof createLeaseBook>;
