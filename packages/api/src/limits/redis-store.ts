import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { BucketState } from "./gcra";
import {
  ADMIT_SCRIPT,
  CANCEL_SCRIPT,
  RECONCILE_SCRIPT,
  RESERVED_SCRIPT,
  SEED_SCRIPT,
  SETTLE_SCRIPT,
} from "./redis-scripts";
import type { AdmitOutcome, CounterStore, ReconcileAction } from "./store";

// A month's counter outlives its month so late settles and the last reconciliation find it.
const SPEND_TTL_MS = 62 * 86_400_000;

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

const SCRIPTS = {
  admit: script(ADMIT_SCRIPT),
  settle: script(SETTLE_SCRIPT),
  cancel: script(CANCEL_SCRIPT),
  seed: script(SEED_SCRIPT),
  reserved: script(RESERVED_SCRIPT),
  reconcile: script(RECONCILE_SCRIPT),
};

type Reply = string | number | null | Reply[];

const arg = (now: number | undefined) => (now === undefined ? "" : String(Math.floor(now)));

function states(reply: string[], from: number): (BucketState | null)[] {
  const out: (BucketState | null)[] = [];
  for (let i = 0; i < 4; i++) {
    const remaining = Number(reply[from + 2 * i]);
    out.push(remaining < 0 ? null : { limit: 0, remaining, resetMs: Number(reply[from + 2 * i + 1]) });
  }
  return out;
}

/**
 * Production counters in Redis. Each step is ONE round trip: EVALSHA of a script loaded at
 * start (re-sent with EVAL only if Redis lost it, e.g. after a restart or SCRIPT FLUSH).
 */
export function createRedisStore(redis: Redis, prefix: string): CounterStore {
  const user = (userId: string) => `${prefix}{${userId}}`;
  const spendKey = (userId: string, month: string) => `${user(userId)}:spend:${month}`;
  const resKeys = (userId: string) => [`${user(userId)}:res`, `${user(userId)}:resexp`];
  const tatKey = (userId: string, name: string) => `${user(userId)}:rl:${name}`;
  const bucketKeys = (userId: string, keyId: string) => [
    tatKey(userId, "u:req"),
    tatKey(userId, "u:tok"),
    tatKey(userId, `k:${keyId}:req`),
    tatKey(userId, `k:${keyId}:tok`),
  ];

  // Best effort: a failure here only means the first call of each script falls back to EVAL.
  for (const s of Object.values(SCRIPTS)) redis.script("LOAD", s.source).catch(() => {});

  async function run(s: Script, keys: string[], args: string[]): Promise<Reply> {
    try {
      return (await redis.evalsha(s.sha, keys.length, ...keys, ...args)) as Reply;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
      return (await redis.eval(s.source, keys.length, ...keys, ...args)) as Reply;
    }
  }

  return {
    kind: "redis",
    async admit(input): Promise<AdmitOutcome> {
      const reply = (await run(
        SCRIPTS.admit,
        [
          spendKey(input.userId, input.month),
          ...resKeys(input.userId),
          ...bucketKeys(input.userId, input.keyId),
        ],
        [
          arg(input.now),
          input.reservationId,
          input.amountNano.toString(),
          input.limitNano === null ? "-1" : input.limitNano.toString(),
          String(input.ttlMs),
          ...input.limits.map(String),
          String(input.tokens),
          String(input.lease?.quantity ?? 1),
          input.lease?.only ? "1" : "0",
        ],
      )) as string[];
      const withLimits = (list: (BucketState | null)[]) =>
        list.map((s, i) => (s ? { ...s, limit: input.limits[i] ?? 0 } : null));
      switch (reply[0]) {
        case "seed":
          return { kind: "seed" };
        case "budget":
          return {
            kind: "budget",
            spentNano: BigInt(reply[1] ?? "0"),
            reservedNano: BigInt(reply[2] ?? "0"),
          };
        case "rate":
          return {
            kind: "rate",
            bucket: Number(reply[1]) - 1,
            retryAfterMs: Number(reply[2]),
            states: withLimits(states(reply, 3)),
          };
        case "nolease":
          return { kind: "nolease" };
        case "duplicate":
          return { kind: "duplicate" };
        case "ok":
          return {
            kind: "ok",
            spentNano: BigInt(reply[1] ?? "0"),
            reservedNano: BigInt(reply[2] ?? "0"),
            states: withLimits(states(reply, 3)),
            granted: Number(reply[11] ?? "1"),
          };
        default:
          throw new Error(`unexpected admit reply ${JSON.stringify(reply)}`);
      }
    },

    async settle(input) {
      const reply = (await run(
        SCRIPTS.settle,
        [
          spendKey(input.userId, input.month),
          ...resKeys(input.userId),
          ...bucketKeys(input.userId, input.keyId),
        ],
        [
          arg(input.now),
          input.reservationId,
          input.actualNano === null ? "" : input.actualNano.toString(),
          String(input.tokenDelta),
          String(input.userRpm ?? 0),
          String(input.userTpm),
          String(input.keyRpm ?? 0),
          String(input.keyTpm),
          String(input.requestDelta ?? 0),
          (input.keepNano ?? 0n).toString(),
        ],
      )) as string[];
      const [before, after] = reply;
      return {
        beforeNano: before ? BigInt(before) : null,
        afterNano: after ? BigInt(after) : null,
      };
    },

    async cancel(input) {
      await run(
        SCRIPTS.cancel,
        [...resKeys(input.userId), ...bucketKeys(input.userId, input.keyId)],
        [
          arg(input.now),
          input.reservationId,
          input.amountNano.toString(),
          String(input.tokens),
          ...input.limits.map(String),
          String(input.ttlMs),
        ],
      );
    },

    async seed(userId, month, spentNano) {
      await run(SCRIPTS.seed, [spendKey(userId, month)], [spentNano.toString(), String(SPEND_TTL_MS)]);
    },

    async reserved(userId, now) {
      return BigInt((await run(SCRIPTS.reserved, resKeys(userId), [arg(now)])) as string);
    },

    async settleSequence(userId, month) {
      return redis.hget(spendKey(userId, month), "seq");
    },

    async reconcile(userId, month, dbNano, sequence, graceMs, now, settledNano = dbNano) {
      return (await run(
        SCRIPTS.reconcile,
        [spendKey(userId, month)],
        [
          dbNano.toString(),
          sequence ?? "",
          arg(now),
          String(graceMs),
          String(SPEND_TTL_MS),
          settledNano.toString(),
        ],
      )) as ReconcileAction;
    },
  };
}
