import { gcra, gcraAdjust } from "./gcra";
import {
  type AdmitInput,
  type AdmitOutcome,
  type CounterStore,
  type LevelCounter,
  levelHome,
  type SettleInput,
  type SettleOutcome,
  type SpendChange,
} from "./store";

interface SpendCounter {
  spent: bigint;
  seq: number;
  last: number;
}

interface Reservation {
  amount: bigint;
  expiresAt: number;
}

const BUCKET_NAMES = ["u:req", "u:tok", "k:req", "k:tok", "t:req", "t:tok"] as const;
// Past this many stored TATs, lapsed ones are dropped so memory stays bounded.
const TAT_PRUNE_AT = 10_000;
// Past this many level counters, those of past periods are dropped (they are never read again:
// a period's counter is only ever looked up by its own key).
const SPEND_PRUNE_AT = 10_000;

interface Owner {
  home: string;
  keyId: string;
  teamId?: string | null | undefined;
}

/**
 * Embedded mode's counters: the same semantics as the Redis script, in process memory. Every
 * method runs synchronously once called (no await between check and update), which is what
 * makes check-and-reserve atomic on Node's single thread.
 */
export function createMemoryStore(clock: () => number = Date.now): CounterStore {
  // Spend counters and reservation pools by name: "u:<home>" for a user's month, and
  // "<home>|<level name>" for a level (see levelHome).
  const spend = new Map<string, SpendCounter>();
  const reservations = new Map<string, Map<string, Reservation>>();
  const tats = new Map<string, number>();
  // Homes the user's counters left (see CounterStore.retire); one entry per membership move.
  const retired = new Set<string>();

  const userPool = (home: string) => `u:${home}`;
  const levelPool = (home: string, name: string) => `${levelHome(home, name)}|${name}`;
  const spendKey = (pool: string, period: string) => `${pool}:${period}`;
  const tatKey = (input: Owner, bucket: number) => {
    if (bucket < 2) return `${input.home}:${BUCKET_NAMES[bucket]}`;
    if (bucket < 4) return `${input.home}:${input.keyId}:${BUCKET_NAMES[bucket]}`;
    return `team:${input.teamId ?? ""}:${BUCKET_NAMES[bucket]}`;
  };
  const bucketLimits = (input: Pick<AdmitInput, "limits" | "teamLimits">) => [
    ...input.limits,
    ...(input.teamLimits ?? [0, 0]),
  ];

  function sweep(pool: string, now: number): Map<string, Reservation> {
    let mine = reservations.get(pool);
    if (!mine) {
      mine = new Map();
      reservations.set(pool, mine);
    }
    for (const [id, r] of mine) if (r.expiresAt <= now) mine.delete(id);
    return mine;
  }

  const total = (mine: Map<string, Reservation>) => {
    let sum = 0n;
    for (const r of mine.values()) sum += r.amount;
    return sum;
  };

  function pruneTats(now: number) {
    if (tats.size < TAT_PRUNE_AT) return;
    for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
  }

  function pruneSpend(now: number) {
    if (spend.size < SPEND_PRUNE_AT) return;
    // Level counters idle for three days: a day counter's day is over, and a month or
    // lifetime counter that is read again is seeded again from the usage rows.
    for (const [key, counter] of spend) {
      if (key.includes("|") && now - counter.last > 3 * 86_400_000) spend.delete(key);
    }
  }

  /** Drops (or trims to `keep`) one reservation of a pool. */
  function release(pool: string, id: string, keep: bigint) {
    const mine = reservations.get(pool);
    const reservation = mine?.get(id);
    if (reservation && keep > 0n) reservation.amount = keep < reservation.amount ? keep : reservation.amount;
    else mine?.delete(id);
  }

  function book(key: string, actual: bigint | null, now: number, withSeq: boolean): SpendChange {
    const counter = spend.get(key);
    if (actual === null || !counter) return { beforeNano: null, afterNano: null };
    const beforeNano = counter.spent;
    counter.spent += actual;
    if (withSeq) counter.seq += 1;
    counter.last = now;
    return { beforeNano, afterNano: counter.spent };
  }

  const levelSpendKey = (home: string, level: LevelCounter) =>
    spendKey(levelPool(home, level.name), level.period);

  return {
    kind: "memory",
    oneSlot: false,
    async admit(input: AdmitInput): Promise<AdmitOutcome> {
      if (retired.has(input.home)) return { kind: "moved" };
      // One process needs no leases: a lease-only request is never granted, a call gets 1.
      if (input.lease?.only) return { kind: "nolease" };
      const now = input.now ?? clock();
      const mine = sweep(userPool(input.home), now);
      const levels = input.levels ?? [];
      const counter = spend.get(spendKey(userPool(input.home), input.month));
      const missing: number[] = counter ? [] : [-1];
      const held = levels.map((level, j) => {
        const pool = sweep(levelPool(input.home, level.name), now);
        const spent = level.calls ? 0n : spend.get(levelSpendKey(input.home, level))?.spent;
        if (spent === undefined) missing.push(j);
        return { pool, spent: spent ?? 0n, reserved: total(pool) };
      });
      if (!counter || missing.length > 0) return { kind: "seed", levels: missing };
      const reserved = total(mine);
      if (input.limitNano !== null && counter.spent + reserved + input.amountNano > input.limitNano) {
        return { kind: "budget", spentNano: counter.spent, reservedNano: reserved };
      }
      for (const [j, level] of levels.entries()) {
        const h = held[j]!;
        const unit = level.calls ? 1n : input.amountNano;
        if (h.spent + h.reserved + unit > level.limit) {
          return { kind: "budget", spentNano: h.spent, reservedNano: h.reserved, level: j };
        }
      }
      const limits = bucketLimits(input);
      const decisions = limits.map((limit, i) =>
        limit > 0 ? gcra(tats.get(tatKey(input, i)), now, limit, i % 2 === 0 ? 1 : input.tokens) : null,
      );
      let refused = -1;
      let retryAfterMs = 0;
      decisions.forEach((d, i) => {
        if (d && !d.allowed && d.retryAfterMs > retryAfterMs) {
          refused = i;
          retryAfterMs = d.retryAfterMs;
        }
      });
      const states = decisions.map((d) => d?.state ?? null);
      if (refused >= 0) return { kind: "rate", bucket: refused, retryAfterMs, states };
      pruneTats(now);
      pruneSpend(now);
      decisions.forEach((d, i) => {
        if (d) tats.set(tatKey(input, i), d.newTat);
      });
      const expiresAt = now + input.ttlMs;
      mine.set(input.reservationId, { amount: input.amountNano, expiresAt });
      levels.forEach((level, j) => {
        held[j]!.pool.set(input.reservationId, { amount: level.calls ? 1n : input.amountNano, expiresAt });
      });
      return {
        kind: "ok",
        spentNano: counter.spent,
        reservedNano: reserved + input.amountNano,
        states,
        granted: 1,
      };
    },

    async settle(input: SettleInput): Promise<SettleOutcome> {
      const now = input.now ?? clock();
      const keep = input.keepNano ?? 0n;
      release(userPool(input.home), input.reservationId, keep);
      const requestDelta = input.requestDelta ?? 0;
      for (const [bucket, limit, delta] of [
        [0, input.userRpm ?? 0, requestDelta],
        [1, input.userTpm, input.tokenDelta],
        [2, input.keyRpm ?? 0, requestDelta],
        [3, input.keyTpm, input.tokenDelta],
        [4, input.teamRpm ?? 0, requestDelta],
        [5, input.teamTpm ?? 0, input.tokenDelta],
      ] as const) {
        if (limit <= 0) continue;
        const key = tatKey(input, bucket);
        const adjusted = gcraAdjust(tats.get(key), now, limit, delta);
        if (adjusted !== undefined) tats.set(key, adjusted);
      }
      const user = book(spendKey(userPool(input.home), input.month), input.actualNano, now, true);
      const levels = (input.levels ?? []).map((level) => {
        release(levelPool(input.home, level.name), input.reservationId, level.calls ? 0n : keep);
        if (level.calls) return { beforeNano: null, afterNano: null };
        return book(levelSpendKey(input.home, level), input.actualNano, now, false);
      });
      return { ...user, levels };
    },

    // Admissions here run to the end once called, so a cancel never precedes its admission.
    async cancel(input) {
      for (const level of input.levels ?? [])
        release(levelPool(input.home, level.name), input.reservationId, 0n);
      const mine = reservations.get(userPool(input.home));
      if (!mine?.delete(input.reservationId)) return;
      const now = input.now ?? clock();
      bucketLimits(input).forEach((limit, bucket) => {
        if (limit <= 0) return;
        const key = tatKey(input, bucket);
        const adjusted = gcraAdjust(tats.get(key), now, limit, bucket % 2 === 0 ? -1 : -input.tokens);
        if (adjusted !== undefined) tats.set(key, adjusted);
      });
    },

    async retire(home) {
      retired.add(home);
    },

    async seed(home, month, spentNano) {
      const key = spendKey(userPool(home), month);
      if (!spend.has(key)) spend.set(key, { spent: spentNano, seq: 0, last: 0 });
    },

    async seedLevel(home, level, spentNano) {
      const key = levelSpendKey(home, level);
      if (!spend.has(key)) spend.set(key, { spent: spentNano, seq: 0, last: clock() });
    },

    async raiseLevel(home, level, settledNano) {
      const counter = spend.get(levelSpendKey(home, level));
      if (!counter || settledNano <= counter.spent) return false;
      counter.spent = settledNano;
      return true;
    },

    async reserved(home, now) {
      return total(sweep(userPool(home), now ?? clock()));
    },

    async reservedLevel(home, name, now) {
      return total(sweep(levelPool(home, name), now ?? clock()));
    },

    async settleSequence(home, month) {
      const counter = spend.get(spendKey(userPool(home), month));
      return counter ? String(counter.seq) : null;
    },

    async reconcile(home, month, dbNano, sequence, graceMs, now, settledNano = dbNano) {
      const at = now ?? clock();
      const key = spendKey(userPool(home), month);
      const counter = spend.get(key);
      if (!counter) {
        spend.set(key, { spent: dbNano, seq: 0, last: 0 });
        return "seeded";
      }
      if (settledNano > counter.spent) {
        counter.spent = settledNano;
        return "raised";
      }
      if (dbNano < counter.spent && String(counter.seq) === sequence && at - counter.last >= graceMs) {
        counter.spent = dbNano;
        return "lowered";
      }
      return "kept";
    },
  };
}
