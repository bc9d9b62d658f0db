import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
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
  levelHome,
  type ReconcileAction,
} from "./store";

// A month's counter outlives its month so late settles and the last reconciliation find it.
const SPEND_TTL_MS = 62 * 86_400_000;
// A day's counter needs only outlive its day; a lifetime counter ("total") that expires is
// seeded again from the usage rows, which hold every call it counted.
const levelSpendTtl = (period: string) => (period.length === 10 ? 3 * 86_400_000 : SPEND_TTL_MS);
const BUCKETS = 6;
const RETIRED_TTL_MS = 86_400_000;

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
export function createRedisStore(redis: Redis | Cluster, prefix: string): CounterStore {
  // A user's counters live in its home (see home.ts): `{<userId>}`, or under its team's hash tag.
  const user = (home: string) => `${prefix}${home}`;
  const level = (home: string, name: string) => `${prefix}${levelHome(home, name)}:lvl:${name}`;
  const levelRes = (home: string, name: string) => [
    `${level(home, name)}:res`,
    `${level(home, name)}:resexp`,
  ];
  const levelKeys = (home: string, levels: readonly LevelCounter[] | undefined) =>
    (levels ?? []).flatMap((l) => [
      `${level(home, l.name)}:spend:${l.period || "none"}`,
      ...levelRes(home, l.name),
    ]);
  const levelArgs = (levels: readonly LevelCounter[] | undefined) =>
    (levels ?? []).flatMap((l) => [l.limit.toString(), l.calls ? "1" : "0"]);
  const callsFlags = (levels: readonly LevelCounter[] | undefined) =>
    (levels ?? []).map((l) => (l.calls ? "1" : "0"));
  // A call without a team names its team buckets anyway (limits 0: never read nor written).
  const teamTat = (teamId: string | null | undefined, home: string, name: string) =>
    teamId ? `${prefix}{team:${teamId}}:rl:${name}` : `${user(home)}:rl:noteam:${name}`;
  const spendKey = (home: string, month: string) => `${user(home)}:spend:${month}`;
  const resKeys = (home: string) => [`${user(home)}:res`, `${user(home)}:resexp`];
  const tatKey = (home: string, name: string) => `${user(home)}:rl:${name}`;
  const movedKey = (home: string) => `${user(home)}:moved`;
  const bucketKeys = (input: { home: string; keyId: string; teamId?: string | null | undefined }) => [
    tatKey(input.home, "u:req"),
    tatKey(input.home, "u:tok"),
    tatKey(input.home, `k:${input.keyId}:req`),
    tatKey(input.home, `k:${input.keyId}:tok`),
    teamTat(input.teamId, input.home, "req"),
    teamTat(input.teamId, input.home, "tok"),
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
    // A cluster runs a script only when all its keys are in one slot; one Redis runs any.
    oneSlot: redis.isCluster,
    async admit(input): Promise<AdmitOutcome> {
      const bucketLimits = [...input.limits, ...(input.teamLimits ?? [0, 0])].map(String);
      const reply = (await run(
        SCRIPTS.admit,
        [
          spendKey(input.home, input.month),
          ...resKeys(input.home),
          ...bucketKeys(input),
          ...levelKeys(input.home, input.levels),
          movedKey(input.home),
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
        case "moved":
          return { kind: "moved" };
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
          spendKey(input.home, input.month),
          ...resKeys(input.home),
          ...bucketKeys(input),
          ...levelKeys(input.home, input.levels),
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
          ...resKeys(input.home),
          ...bucketKeys(input),
          ...(input.levels ?? []).flatMap((l) => levelRes(input.home, l.name)),
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

    async retire(home) {
      // Outlives every replica's settings cache (at most a minute) many times over.
      await redis.set(movedKey(home), "1", "PX", RETIRED_TTL_MS);
    },

    async seed(home, month, spentNano) {
      await run(SCRIPTS.seed, [spendKey(home, month)], [spentNano.toString(), String(SPEND_TTL_MS)]);
    },

    async seedLevel(home, counter, spentNano) {
      await run(
        SCRIPTS.seed,
        [`${level(home, counter.name)}:spend:${counter.period}`],
        [spentNano.toString(), String(levelSpendTtl(counter.period))],
      );
    },

    async raiseLevel(home, counter, settledNano) {
      const key = `${level(home, counter.name)}:spend:${counter.period}`;
      return (await run(SCRIPTS.raise, [key], [settledNano.toString()])) === 1;
    },

    async reservedLevel(home, name, now) {
      return BigInt((await run(SCRIPTS.reserved, levelRes(home, name), [arg(now)])) as string);
    },

    async reserved(home, now) {
      return BigInt((await run(SCRIPTS.reserved, resKeys(home), [arg(now)])) as string);
    },

    async settleSequence(home, month) {
      return redis.hget(spendKey(home, month), "seq");
    },

    async reconcile(home, month, dbNano, sequence, graceMs, now, settledNano = dbNano) {
      return (await run(
        SCRIPTS.reconcile,
        [spendKey(home, month)],
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
