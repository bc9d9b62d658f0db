import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { BucketState } from "./gcra";
import {
  ADMIT_SCRIPT,
  CANCEL_SCRIPT,
  RAISE_SCRIPT,
  RECONCILE_SCRIPT,
  RESERVED_SCRIPT,
  SEED_SCRIPT,
  SETTLE_SCRIPT,
} from "./redis-scripts";
import {
  type AdmitOutcome,
  type CounterStore,
  type LevelCounter,
  levelOwner,
  type ReconcileAction,
} from "./store";

// A month's counter outlives its month so late settles and the last reconciliation find it.
const SPEND_TTL_MS = 62 * 86_400_000;
// A day's counter needs only outlive its day; a lifetime counter ("total") that expires is
// seeded again from the usage rows, which hold every call it counted.
const levelSpendTtl = (period: string) => (period.length === 10 ? 3 * 86_400_000 : SPEND_TTL_MS);
const BUCKETS = 6;

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
  raise: script(RAISE_SCRIPT),
};

type Reply = string | number | null | Reply[];

const arg = (now: number | undefined) => (now === undefined ? "" : String(Math.floor(now)));

function states(reply: string[], from: number): (BucketState | null)[] {
  const out: (BucketState | null)[] = [];
  for (let i = 0; i < BUCKETS; i++) {
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
  // A level's keys carry its owner's hash tag (see levelOwner): the user's, or the team's.
  const level = (userId: string, name: string) => `${prefix}{${levelOwner(userId, name)}}:lvl:${name}`;
  const levelRes = (userId: string, name: string) => [
    `${level(userId, name)}:res`,
    `${level(userId, name)}:resexp`,
  ];
  const levelKeys = (userId: string, levels: readonly LevelCounter[] | undefined) =>
    (levels ?? []).flatMap((l) => [
      `${level(userId, l.name)}:spend:${l.period || "none"}`,
      ...levelRes(userId, l.name),
    ]);
  const levelArgs = (levels: readonly LevelCounter[] | undefined) =>
    (levels ?? []).flatMap((l) => [l.limit.toString(), l.calls ? "1" : "0"]);
  const callsFlags = (levels: readonly LevelCounter[] | undefined) =>
    (levels ?? []).map((l) => (l.calls ? "1" : "0"));
  // A call without a team names its team buckets anyway (limits 0: never read nor written).
  const teamTat = (teamId: string | null | undefined, userId: string, name: string) =>
    teamId ? `${prefix}{team:${teamId}}:rl:${name}` : `${user(userId)}:rl:noteam:${name}`;
  const spendKey = (userId: string, month: string) => `${user(userId)}:spend:${month}`;
  const resKeys = (userId: string) => [`${user(userId)}:res`, `${user(userId)}:resexp`];
  const tatKey = (userId: string, name: string) => `${user(userId)}:rl:${name}`;
  const bucketKeys = (input: { userId: string; keyId: string; teamId?: string | null | undefined }) => [
    tatKey(input.userId, "u:req"),
    tatKey(input.userId, "u:tok"),
    tatKey(input.userId, `k:${input.keyId}:req`),
    tatKey(input.userId, `k:${input.keyId}:tok`),
    teamTat(input.teamId, input.userId, "req"),
    teamTat(input.teamId, input.userId, "tok"),
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
      const bucketLimits = [...input.limits, ...(input.teamLimits ?? [0, 0])].map(String);
      const reply = (await run(
        SCRIPTS.admit,
        [
          spendKey(input.userId, input.month),
          ...resKeys(input.userId),
          ...bucketKeys(input),
          ...levelKeys(input.userId, input.levels),
        ],
        [
          arg(input.now),
          input.reservationId,
          input.amountNano.toString(),
          input.limitNano === null ? "-1" : input.limitNano.toString(),
          String(input.ttlMs),
          ...bucketLimits,
          String(input.tokens),
          String(input.lease?.quantity ?? 1),
          input.lease?.only ? "1" : "0",
          String(input.levels?.length ?? 0),
          ...levelArgs(input.levels),
        ],
      )) as string[];
      const withLimits = (list: (BucketState | null)[]) =>
        list.map((s, i) => (s ? { ...s, limit: Number(bucketLimits[i] ?? 0) } : null));
      switch (reply[0]) {
        case "seed":
          return { kind: "seed", levels: reply.slice(1).map((i) => Number(i) - 1) };
        case "budget": {
          const level = Number(reply[3] ?? "0");
          return {
            kind: "budget",
            spentNano: BigInt(reply[1] ?? "0"),
            reservedNano: BigInt(reply[2] ?? "0"),
            ...(level > 0 ? { level: level - 1 } : {}),
          };
        }
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
            granted: Number(reply[3 + 2 * BUCKETS] ?? "1"),
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
          ...bucketKeys(input),
          ...levelKeys(input.userId, input.levels),
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
          String(input.teamRpm ?? 0),
          String(input.teamTpm ?? 0),
          String(input.requestDelta ?? 0),
          (input.keepNano ?? 0n).toString(),
          String(input.levels?.length ?? 0),
          ...callsFlags(input.levels),
        ],
      )) as string[];
      const change = (i: number) => ({
        beforeNano: reply[i] ? BigInt(reply[i]) : null,
        afterNano: reply[i + 1] ? BigInt(reply[i + 1]!) : null,
      });
      return { ...change(0), levels: (input.levels ?? []).map((_, j) => change(2 + 2 * j)) };
    },

    async cancel(input) {
      await run(
        SCRIPTS.cancel,
        [
          ...resKeys(input.userId),
          ...bucketKeys(input),
          ...(input.levels ?? []).flatMap((l) => levelRes(input.userId, l.name)),
        ],
        [
          arg(input.now),
          input.reservationId,
          input.amountNano.toString(),
          String(input.tokens),
          ...[...input.limits, ...(input.teamLimits ?? [0, 0])].map(String),
          String(input.ttlMs),
          String(input.levels?.length ?? 0),
        ],
      );
    },

    async seed(userId, month, spentNano) {
      await run(SCRIPTS.seed, [spendKey(userId, month)], [spentNano.toString(), String(SPEND_TTL_MS)]);
    },

    async seedLevel(userId, counter, spentNano) {
      await run(
        SCRIPTS.seed,
        [`${level(userId, counter.name)}:spend:${counter.period}`],
        [spentNano.toString(), String(levelSpendTtl(counter.period))],
      );
    },

    async raiseLevel(userId, counter, settledNano) {
      const key = `${level(userId, counter.name)}:spend:${counter.period}`;
      return (await run(SCRIPTS.raise, [key], [settledNano.toString()])) === 1;
    },

    async reservedLevel(userId, name, now) {
      return BigInt((await run(SCRIPTS.reserved, levelRes(userId, name), [arg(now)])) as string);
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
