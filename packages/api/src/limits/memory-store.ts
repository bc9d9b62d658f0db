import { gcra, gcraAdjust } from "./gcra";
import type { AdmitInput, AdmitOutcome, CounterStore, SettleInput, SettleOutcome } from "./store";

interface SpendCounter {
  spent: bigint;
  seq: number;
  last: number;
}

interface Reservation {
  amount: bigint;
  expiresAt: number;
}

const BUCKET_NAMES = ["u:req", "u:tok", "k:req", "k:tok"] as const;
// Past this many stored TATs, lapsed ones are dropped so memory stays bounded.
const TAT_PRUNE_AT = 10_000;

/**
 * Embedded mode's counters: the same semantics as the Redis script, in process memory. Every
 * method runs synchronously once called (no await between check and update), which is what
 * makes check-and-reserve atomic on Node's single thread.
 */
export function createMemoryStore(clock: () => number = Date.now): CounterStore {
  const spend = new Map<string, SpendCounter>();
  const reservations = new Map<string, Map<string, Reservation>>();
  const tats = new Map<string, number>();

  const spendKey = (userId: string, month: string) => `${userId}:${month}`;
  const tatKey = (input: { userId: string; keyId: string }, bucket: number) =>
    bucket < 2
      ? `${input.userId}:${BUCKET_NAMES[bucket]}`
      : `${input.userId}:${input.keyId}:${BUCKET_NAMES[bucket]}`;

  function sweep(userId: string, now: number): Map<string, Reservation> {
    let mine = reservations.get(userId);
    if (!mine) {
      mine = new Map();
      reservations.set(userId, mine);
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

  return {
    kind: "memory",
    async admit(input: AdmitInput): Promise<AdmitOutcome> {
      // One process needs no leases: a lease-only request is never granted, a call gets 1.
      if (input.lease?.only) return { kind: "nolease" };
      const now = input.now ?? clock();
      const mine = sweep(input.userId, now);
      const counter = spend.get(spendKey(input.userId, input.month));
      if (!counter) return { kind: "seed" };
      const reserved = total(mine);
      if (input.limitNano !== null && counter.spent + reserved + input.amountNano > input.limitNano) {
        return { kind: "budget", spentNano: counter.spent, reservedNano: reserved };
      }
      const decisions = input.limits.map((limit, i) =>
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
      decisions.forEach((d, i) => {
        if (d) tats.set(tatKey(input, i), d.newTat);
      });
      mine.set(input.reservationId, { amount: input.amountNano, expiresAt: now + input.ttlMs });
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
      const mine = reservations.get(input.userId);
      const reservation = mine?.get(input.reservationId);
      const keep = input.keepNano ?? 0n;
      if (reservation && keep > 0n)
        reservation.amount = keep < reservation.amount ? keep : reservation.amount;
      else mine?.delete(input.reservationId);
      const requestDelta = input.requestDelta ?? 0;
      for (const [bucket, limit, delta] of [
        [0, input.userRpm ?? 0, requestDelta],
        [1, input.userTpm, input.tokenDelta],
        [2, input.keyRpm ?? 0, requestDelta],
        [3, input.keyTpm, input.tokenDelta],
      ] as const) {
        if (limit <= 0) continue;
        const key = tatKey(input, bucket);
        const adjusted = gcraAdjust(tats.get(key), now, limit, delta);
        if (adjusted !== undefined) tats.set(key, adjusted);
      }
      const counter = spend.get(spendKey(input.userId, input.month));
      if (input.actualNano === null || !counter) return { beforeNano: null, afterNano: null };
      const beforeNano = counter.spent;
      counter.spent += input.actualNano;
      counter.seq += 1;
      counter.last = now;
      return { beforeNano, afterNano: counter.spent };
    },

    // Admissions here run to the end once called, so a cancel never precedes its admission.
    async cancel(input) {
      const mine = reservations.get(input.userId);
      if (!mine?.delete(input.reservationId)) return;
      const now = input.now ?? clock();
      input.limits.forEach((limit, bucket) => {
        if (limit <= 0) return;
        const key = tatKey(input, bucket);
        const adjusted = gcraAdjust(tats.get(key), now, limit, bucket % 2 === 0 ? -1 : -input.tokens);
        if (adjusted !== undefined) tats.set(key, adjusted);
      });
    },

    async seed(userId, month, spentNano) {
      const key = spendKey(userId, month);
      if (!spend.has(key)) spend.set(key, { spent: spentNano, seq: 0, last: 0 });
    },

    async reserved(userId, now) {
      return total(sweep(userId, now ?? clock()));
    },

    async settleSequence(userId, month) {
      const counter = spend.get(spendKey(userId, month));
      return counter ? String(counter.seq) : null;
    },

    async reconcile(userId, month, dbNano, sequence, graceMs, now, settledNano = dbNano) {
      const at = now ?? clock();
      const key = spendKey(userId, month);
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
