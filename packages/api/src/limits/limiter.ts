import { randomUUID } from "node:crypto";
import { type Database, levelSpendSince, spendSince } from "@llmg/db";
import type { Kysely } from "kysely";
import type { UserPrincipal } from "../auth/authenticator";
import type { Admission, AdmissionRequest, Limiter } from "../chat/limits";
import { ApiError } from "../errors";
import type { Logger } from "../services";
import { crossedThresholds, fireAlerts } from "./alerts";
import { type CallLevels, callLevels } from "./call-levels";
import {
  budgetExceeded,
  concurrencyLimitExceeded,
  levelBudgetExceeded,
  limitsUnavailable,
  modelUnpriced,
  RateLimitError,
} from "./errors";
import type { BucketState } from "./gcra";
import { rateLimitHeaders } from "./headers";
import { defaultHome, sharesSlotWithTeam } from "./home";
import type { LeaseScope } from "./lease";
import { createLeaseBook, DEFAULT_LEASE_OPTIONS, type LeaseOptions, type LeaseStats } from "./leases";
import { fireLevelAlerts } from "./level-alerts";
import { type BudgetLevel, levelName, periodAt, periodKey, periodStart } from "./levels";
import { usdToNano } from "./money";
import { monthKey, monthStart } from "./period";
import { type BudgetSettings, createSettingsCache } from "./settings";
import type {
  AdmitInput,
  AdmitOutcome,
  BucketLimits,
  CounterStore,
  LevelCounter,
  ReconcileAction,
  SettleInput,
  TeamLimits,
} from "./store";
import { levelHome } from "./store";
import { createTeamSettingsCache, type TeamSettings } from "./team-settings";

/** The limiter plus what the budget endpoints and jobs need from it. */
export interface Limits extends Limiter {
  readonly store: CounterStore;
  /** The clock budgets and projections are computed with (injectable for tests). */
  now(): number;
  settings(userId: string): Promise<BudgetSettings | undefined>;
  /** Forgets a user's cached settings (budget changed) and closes the user's leases on this replica. */
  invalidate(userId: string): void;
  /**
   * In-flight reservations of a user, after closing the user's leases on this replica: exact
   * for calls served here, other replicas' leases lag by at most their lifetime (see leases.ts).
   */
  reservedNano(userId: string): Promise<bigint>;
  /** Aligns one user's month counter with the spend the database recorded. */
  /** `loadDb` sums the month's rows: all, and those recorded before `settledBefore`. */
  reconcileUser(
    userId: string,
    month: string,
    loadDb: (settledBefore: Date) => Promise<{ allNano: bigint; settledNano: bigint }>,
  ): Promise<ReconcileAction>;
  /** Forgets a team's cached settings on this replica (budget or limits changed). */
  invalidateTeam(teamId: string): void;
  /**
   * Raises a level's counter of this period to the spend of its rows recorded before the
   * reconcile grace, when a lost settle left it lower (see CounterStore.raiseLevel).
   */
  raiseLevel(level: BudgetLevel, loadSettled: (settledBefore: Date) => Promise<bigint>): Promise<boolean>;
  /** In-flight reservations held against one level (as reservedNano is for a user). */
  reservedForLevel(level: Pick<BudgetLevel, "scope" | "id" | "userId">): Promise<bigint>;
  /**
   * After a membership change moved a user's counters (see home.ts): retires the home they left,
   * so every replica's next admission for the user reads its settings again.
   */
  retireHome(userId: string, home: string): Promise<void>;
  /** Closes every lease of this replica, waiting for their Redis settles (shutdown). Never throws. */
  flush(): Promise<void>;
  leaseStats(): LeaseStats;
}

export interface LimitsOptions {
  db: Kysely<Database>;
  store: CounterStore;
  logger: Logger;
  reservationTtlMs: number;
  settingsTtlMs: number;
  /** Admit without limits when the store fails (default: refuse with 503 limits_unavailable). */
  failOpen: boolean;
  /** Injected clock, also handed to the store; absent = Redis TIME / Date.now. */
  clock?: () => number;
  /** How long an admission may wait on the store before the fail mode applies. */
  timeoutMs?: number;
  /** Leases (Redis store only; see leases.ts): default on there, false turns them off. */
  leases?: Partial<LeaseOptions> | false;
}

const DEFAULT_TIMEOUT_MS = 2_000;
// After a store failure, calls skip the store this long: during an outage every call would
// otherwise wait out the client's retries before the fail mode applies.
const BREAKER_MS = 1_000;
// A settle that happened less than this ago may not have its usage row yet (see reconcile).
export const RECONCILE_GRACE_MS = 30_000;
const BUCKETS = [
  "requests per minute of the user",
  "tokens per minute of the user",
  "requests per minute of the key",
  "tokens per minute of the key",
  "requests per minute of the team",
  "tokens per minute of the team",
];

/**
 * A user's own limits apply to all their keys together; a key's limit is a separate bucket only
 * when it is tighter than the user's (the principal carries the tighter of both), since an
 * equal or looser key limit can never bind before the user's.
 */
export function bucketLimits(settings: BudgetSettings, principal: UserPrincipal): BucketLimits {
  const keyOnly = (user: number | null, tightest: number | null) =>
    tightest !== null && (user === null || tightest < user) ? tightest : 0;
  return [
    settings.userRpm ?? 0,
    settings.userTpm ?? 0,
    keyOnly(settings.userRpm, principal.rateLimitRpm),
    keyOnly(settings.userTpm, principal.rateLimitTpm),
  ];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`limits store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const splitStates = (states: (BucketState | null)[]) => ({
  requests: [states[0] ?? null, states[2] ?? null, states[4] ?? null],
  tokens: [states[1] ?? null, states[3] ?? null, states[5] ?? null],
});

/** The counters moved to the periods containing `ms` (a settle books to the period it ends in). */
const countersAt = (counters: readonly LevelCounter[] | undefined, ms: number) =>
  counters?.map((c) => ({ ...c, period: periodAt(c.period, ms) }));

const NO_LEVELS: CallLevels = { levels: [], counters: [], parallel: false };

const unlimitedAdmission: Admission = { headers: {}, settle: async () => {}, release: async () => {} };

export function createLimits(options: LimitsOptions): Limits {
  const { db, store, logger, clock } = options;
  const now = clock ?? Date.now;
  const cache = createSettingsCache(db, options.settingsTtlMs, now);
  const teams = createTeamSettingsCache(db, options.settingsTtlMs, now);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Concurrent first calls of a user in a month share one database read.
  const seeding = new Map<string, Promise<void>>();
  let storeDownUntil = 0;
  // One process of embedded mode has no round trip to save.
  /**
   * An admission given up on may still run in Redis after our timeout (ioredis queues commands
   * while disconnected and re-sends unanswered ones): cancel it so it leaves no reservation and
   * no rate-limit charge. If the cancel fails too, the reservation's TTL is the backstop.
   */
  function abandon(input: AdmitInput): void {
    const at = clock?.();
    withTimeout(
      store.cancel({
        userId: input.userId,
        home: input.home,
        keyId: input.keyId,
        teamId: input.teamId,
        levels: input.levels,
        reservationId: input.reservationId,
        amountNano: input.amountNano,
        tokens: input.tokens,
        limits: input.limits,
        teamLimits: input.teamLimits,
        ttlMs: input.ttlMs,
        ...(at !== undefined ? { now: at } : {}),
      }),
      timeoutMs,
    ).catch((error: unknown) => {
      logger.warn(
        { user_id: input.userId, err: (error as Error).message },
        "limits cancel failed; the reservation expires with its TTL",
      );
    });
  }

  const leases =
    store.kind === "redis" && options.leases !== false
      ? createLeaseBook({
          store,
          logger,
          options: { ...DEFAULT_LEASE_OPTIONS, ...options.leases },
          ttlMs: options.reservationTtlMs,
          timeoutMs,
          clock,
          withTimeout,
          book,
          abandon,
        })
      : undefined;

  function seedFromDatabase(userId: string, home: string, month: string, at: number): Promise<void> {
    const key = `${home}:${month}`;
    let pending = seeding.get(key);
    if (!pending) {
      pending = spendSince(db, userId, new Date(monthStart(at)))
        .then((spent) => store.seed(home, month, usdToNano(spent, "up")))
        .finally(() => seeding.delete(key));
      seeding.set(key, pending);
    }
    return pending;
  }

  /** Seeds a level's counter from the rows of its period (concurrent misses share the read). */
  function seedLevel(level: BudgetLevel, counter: LevelCounter, home: string, at: number): Promise<void> {
    const key = `${levelHome(home, counter.name)}\n${counter.name}\n${counter.period}`;
    let pending = seeding.get(key);
    if (!pending) {
      const start = periodStart(level.period, at);
      const scope =
        level.scope === "key"
          ? { scope: "key" as const, keyId: level.id }
          : level.scope === "team"
            ? { scope: "team" as const, teamId: level.id }
            : level.scope === "tag"
              ? { scope: "tag" as const, userId: level.userId, tag: level.id }
              : { scope: "run" as const, userId: level.userId, runId: level.id };
      pending = levelSpendSince(db, scope, start === null ? null : new Date(start))
        .then((spent) => store.seedLevel(home, counter, usdToNano(spent, "up")))
        .finally(() => seeding.delete(key));
      seeding.set(key, pending);
    }
    return pending;
  }

  async function admitSeeded(
    input: AdmitInput,
    at: number,
    levels: readonly BudgetLevel[],
  ): Promise<AdmitOutcome> {
    // A missing counter (first call of a period, or Redis lost its data) is seeded from the
    // recorded spend, then the admission is retried; a second miss means something keeps
    // deleting it, and refusing beats looping. One admission reports every missing counter.
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = await store.admit(input);
      if (outcome.kind !== "seed") return outcome;
      await Promise.all(
        outcome.levels.map((j) => {
          if (j < 0) return seedFromDatabase(input.userId, input.home, input.month, at);
          const level = levels[j];
          const counter = input.levels?.[j];
          return level && counter ? seedLevel(level, counter, input.home, at) : Promise.resolve();
        }),
      );
    }
    throw new Error("spend counter could not be seeded");
  }

  async function checkAlerts(settings: BudgetSettings, month: string, before: bigint, after: bigint) {
    if (settings.limitNano === null) return;
    const crossed = crossedThresholds(before, after, settings.limitNano, settings.thresholds);
    if (crossed.length === 0) return;
    await fireAlerts(db, {
      settings,
      period: month,
      thresholds: crossed,
      spentNano: after,
      now: new Date(now()),
    });
  }

  /**
   * Books a settle in the store and fires the alerts it crosses. Never fails the call: the
   * provider was already paid. If the store does not answer, the reservation expires by its TTL
   * and the reconciliation books the cost from the usage row.
   */
  async function book(
    settings: BudgetSettings | undefined,
    input: SettleInput,
    levels?: readonly BudgetLevel[],
  ): Promise<void> {
    const at = clock?.();
    try {
      const result = await withTimeout(
        store.settle(at === undefined ? input : { ...input, now: at }),
        timeoutMs,
      );
      if (settings && result.beforeNano !== null && result.afterNano !== null) {
        await checkAlerts(settings, input.month, result.beforeNano, result.afterNano);
      }
      await Promise.all(
        (levels ?? []).map((level, j) => {
          const change = result.levels[j];
          const period = input.levels?.[j]?.period;
          if (!change || change.beforeNano === null || change.afterNano === null || !period) return undefined;
          const crossed = crossedThresholds(change.beforeNano, change.afterNano, level.limitNano, [
            ...level.thresholds,
          ]);
          if (crossed.length === 0) return undefined;
          return fireLevelAlerts(db, {
            level,
            period,
            thresholds: crossed,
            spentNano: change.afterNano,
            now: new Date(now()),
          });
        }),
      );
    } catch (error) {
      logger.warn({ user_id: input.userId, err: (error as Error).message }, "limits settle failed");
    }
  }

  function admission(
    request: AdmissionRequest,
    settings: BudgetSettings,
    input: AdmitInput,
    headers: Record<string, string>,
    levels: readonly BudgetLevel[],
  ): Admission {
    let done = false;
    const finish = async (actualNano: bigint | null, actualTokens: number) => {
      // Settle and release are idempotent: a second call must not book the cost twice.
      if (done) return;
      done = true;
      const at = clock?.() ?? Date.now();
      await book(
        settings,
        {
          userId: input.userId,
          home: input.home,
          keyId: input.keyId,
          teamId: input.teamId,
          levels: countersAt(input.levels, at),
          month: monthKey(at),
          reservationId: input.reservationId,
          actualNano,
          tokenDelta: actualTokens - request.maxTokens,
          userTpm: input.limits[1],
          keyTpm: input.limits[3],
          teamTpm: input.teamLimits?.[1] ?? 0,
        },
        levels,
      );
    };
    return {
      headers,
      settle: (actualCostUsd, actualTokens) => finish(usdToNano(actualCostUsd, "up"), actualTokens),
      release: () => finish(null, 0),
    };
  }

  /** Where a user's counters live (a user deleted since keeps its default home). */
  const homeOfUser = async (userId: string) => (await cache.get(userId))?.home ?? defaultHome(userId);

  /**
   * On Redis Cluster a team call must find the user's counters under the team's hash tag. A
   * replica whose cached settings predate a membership change reads them again; if they still
   * disagree (the key's team changed under a cached key), this call alone is refused: sending it
   * would fail in Redis with CROSSSLOT and trip the store breaker for every user.
   */
  async function placed(
    settings: BudgetSettings,
    teamId: string | null | undefined,
  ): Promise<BudgetSettings> {
    if (!store.oneSlot || sharesSlotWithTeam(settings.home, teamId)) return settings;
    cache.invalidate(settings.userId);
    const fresh = await cache.get(settings.userId);
    if (fresh && sharesSlotWithTeam(fresh.home, teamId)) return fresh;
    throw new ApiError(
      "limits_unavailable",
      "This key's team membership changed moments ago; try again in a few seconds",
      { retryAfter: 5 },
    );
  }

  return {
    store,
    now,
    settings: (userId) => cache.get(userId),
    invalidate(userId) {
      cache.invalidate(userId);
      leases?.closeUser(userId).catch(() => {});
    },
    async reservedNano(userId) {
      await leases?.closeUser(userId);
      return store.reserved(await homeOfUser(userId), clock?.());
    },
    invalidateTeam(teamId) {
      teams.invalidate(teamId);
      leases?.closeTeam(teamId).catch(() => {});
    },
    async raiseLevel(level, loadSettled) {
      const at = clock?.() ?? Date.now();
      const settled = await loadSettled(new Date(at - RECONCILE_GRACE_MS));
      const counter = { name: levelName(level), period: periodKey(level.period, at), limit: level.limitNano };
      return store.raiseLevel(await homeOfUser(level.userId), counter, settled);
    },
    async reservedForLevel(level) {
      if (level.scope === "team") await leases?.closeTeam(level.id);
      else await leases?.closeUser(level.userId);
      return store.reservedLevel(await homeOfUser(level.userId), levelName(level), clock?.());
    },
    flush: async () => leases?.flush(),
    leaseStats: () => leases?.stats() ?? { granted: 0, localAdmits: 0, live: 0 },

    async reconcileUser(userId, month, loadDb) {
      // This replica's leases hold settled calls not booked yet, whose rows may already count;
      // other replicas' leases book theirs within a lease lifetime, far inside the grace.
      await leases?.closeUser(userId);
      const home = await homeOfUser(userId);
      const sequence = await store.settleSequence(home, month);
      const at = clock?.();
      const db = await loadDb(new Date((at ?? Date.now()) - RECONCILE_GRACE_MS));
      return store.reconcile(home, month, db.allNano, sequence, RECONCILE_GRACE_MS, at, db.settledNano);
    },

    async retireHome(userId, home) {
      cache.invalidate(userId);
      await leases?.closeUser(userId);
      await withTimeout(store.retire(home), timeoutMs);
    },

    admit: (request) => admitOnce(request, false),
  };

  /**
   * `retried`: the first try found the cached home retired (a membership change on another
   * replica moved the user's counters); the settings were read again for this one.
   */
  async function admitOnce(request: AdmissionRequest, retried: boolean): Promise<Admission> {
    const { principal } = request;
    let settings: BudgetSettings | undefined;
    let team: TeamSettings | undefined;
    try {
      [settings, team] = await Promise.all([
        cache.get(principal.userId),
        principal.teamId ? teams.get(principal.teamId) : undefined,
      ]);
    } catch (error) {
      if (options.failOpen) return unlimitedAdmission;
      throw limitsUnavailable(error);
    }
    if (!settings) throw new ApiError("unauthorized", "This key's user no longer exists");
    settings = await placed(settings, principal.teamId);
    const limits = bucketLimits(settings, principal);
    const teamLimits: TeamLimits | undefined =
      team && (team.rpm !== null || team.tpm !== null) ? [team.rpm ?? 0, team.tpm ?? 0] : undefined;
    const allLimits = [...limits, ...(teamLimits ?? [0, 0])];
    for (const i of [1, 3, 5]) {
      const tpm = allLimits[i] ?? 0;
      if (tpm > 0 && request.maxTokens > tpm) {
        throw new RateLimitError(
          `This call may use up to ${request.maxTokens} tokens (prompt + max_tokens), more than the ${BUCKETS[i]} (${tpm}); lower max_tokens`,
          undefined,
          {},
          { limit: BUCKETS[i], limit_value: tpm, requested_tokens: request.maxTokens },
        );
      }
    }
    const at = clock?.();
    const callNow = at ?? Date.now();
    const amountNano = usdToNano(request.maxCostUsd, "up");
    // A rate-only call (a cache hit) holds no budget level: it reserves and books nothing.
    const { levels, counters, parallel } = request.rateOnly
      ? NO_LEVELS
      : callLevels(principal, settings, team, request.attribution, callNow);
    if (amountNano === 0n && !request.rateOnly) {
      // A model without a price would be booked at $0 under a budget meant to hold it.
      const scope = settings.limitNano !== null ? "user" : levels[0]?.scope;
      if (scope) throw modelUnpriced(request.model?.provider ?? "", request.model?.id ?? "", scope);
    }
    const scope: LeaseScope = {
      userId: principal.userId,
      home: settings.home,
      keyId: principal.keyId,
      month: monthKey(callNow),
      limits,
      limitNano: settings.mode === "hard" && !request.rateOnly ? settings.limitNano : null,
      teamId: principal.teamId,
      teamLimits,
      levels: counters,
      alertLevels: levels,
    };
    const call = { amountNano, maxTokens: request.maxTokens };
    // A cap on calls in flight is never leased: a lease would hold its slots while idle.
    // A rate-only call is never leased either: a lease holds budget for calls to come.
    const leasing = parallel || request.rateOnly ? undefined : leases;
    const local = leasing?.admitLocal(scope, call);
    if (local) return local;
    const lease = leasing?.ask(scope);
    const input: AdmitInput = {
      userId: scope.userId,
      home: scope.home,
      keyId: scope.keyId,
      teamId: principal.teamId,
      levels: counters,
      month: scope.month,
      reservationId: randomUUID(),
      amountNano,
      limitNano: scope.limitNano,
      ttlMs: options.reservationTtlMs,
      limits,
      teamLimits,
      tokens: request.maxTokens,
      ...(at !== undefined ? { now: at } : {}),
      ...(lease ? { lease } : {}),
    };
    let outcome: AdmitOutcome;
    let asked = false;
    try {
      if (Date.now() < storeDownUntil) throw new Error("limits store failed moments ago");
      asked = true;
      outcome = await withTimeout(admitSeeded(input, callNow, levels), timeoutMs);
    } catch (error) {
      if (asked) abandon(input);
      if (Date.now() >= storeDownUntil) {
        storeDownUntil = Date.now() + BREAKER_MS;
        logger.warn(
          { user_id: principal.userId, err: (error as Error).message, fail_open: options.failOpen },
          "limits store unavailable",
        );
      }
      if (options.failOpen) return unlimitedAdmission;
      throw limitsUnavailable(error);
    } finally {
      if (lease) leasing?.asked(scope);
    }
    if (outcome.kind === "budget") {
      const refusedBy = outcome.level === undefined ? undefined : counters[outcome.level];
      if (refusedBy?.calls) {
        throw concurrencyLimitExceeded(principal.keyId, refusedBy.limit, outcome.reservedNano);
      }
      const level = outcome.level === undefined ? undefined : levels[outcome.level];
      if (level) throw levelBudgetExceeded(level, outcome.spentNano, outcome.reservedNano, amountNano);
      throw budgetExceeded(
        settings.limitNano ?? 0n,
        outcome.spentNano,
        outcome.reservedNano,
        amountNano,
        principal.userId,
      );
    }
    if (outcome.kind === "moved") {
      cache.invalidate(principal.userId);
      await leases?.closeUser(principal.userId);
      if (!retried) return admitOnce(request, true);
      throw limitsUnavailable(new Error("the user's counters moved twice during one admission"));
    }
    if (outcome.kind === "duplicate") {
      abandon(input);
      throw limitsUnavailable(new Error("admission re-sent after a lost answer"));
    }
    if (outcome.kind === "seed" || outcome.kind === "nolease") {
      throw limitsUnavailable(new Error(`unexpected admission ${outcome.kind}`));
    }
    const { requests, tokens } = splitStates(outcome.states);
    const headers = rateLimitHeaders(requests, tokens);
    if (outcome.kind === "rate") {
      const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
      const name = BUCKETS[outcome.bucket] ?? "rate limit";
      throw new RateLimitError(
        `Rate limit reached: ${name} (${allLimits[outcome.bucket]}); retry in ${seconds} s`,
        seconds,
        headers,
        {
          limit: name,
          limit_value: allLimits[outcome.bucket],
          retry_after_ms: Math.ceil(outcome.retryAfterMs),
        },
      );
    }
    if (leasing && outcome.kind === "ok" && outcome.granted > 1) {
      return leasing.grant(scope, settings, input, outcome, call);
    }
    return admission(request, settings, input, headers, levels);
  }
}
