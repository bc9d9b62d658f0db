import { randomBytes } from "node:crypto";
import {
  type AdmitInput,
  type CounterStore,
  createMemoryStore,
  createRedisStore,
  type SettleInput,
} from "@llmg/api";
import { testRedisUrl } from "@llmg/db/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The admit and settle scripts' lease arguments against a real Redis: the quantity granted
 * under each headroom rule, lease-only refills, returning unused requests and tokens, and
 * keeping part of a reservation. Time is injected, so nothing sleeps.
 */
const redisUrl = testRedisUrl();
const MONTH = "2026-11";
const T0 = Date.parse("2026-11-15T12:00:00Z");
const K = 32;

describe.skipIf(!redisUrl)("lease arguments of the Redis scripts", () => {
  let redis: Redis;
  let store: CounterStore;
  const prefix = `llmg-test:${randomBytes(6).toString("hex")}:`;
  let n = 0;
  const user = async (spent = 0n) => {
    const u = `usr_lease_${++n}`;
    await store.seed(u, MONTH, spent);
    return u;
  };
  const input = (userId: string, over: Partial<AdmitInput> = {}): AdmitInput => ({
    userId,
    home: userId,
    keyId: "key_a",
    month: MONTH,
    reservationId: randomBytes(8).toString("hex"),
    amountNano: 1_000n,
    limitNano: null,
    ttlMs: 60_000,
    limits: [0, 0, 0, 0],
    tokens: 100,
    now: T0,
    lease: { quantity: K, only: false },
    ...over,
  });
  const granted = async (i: AdmitInput) => {
    const outcome = await store.admit(i);
    return outcome.kind === "ok" ? outcome.granted : outcome.kind;
  };
  const settle = (i: AdmitInput, over: Partial<SettleInput>): SettleInput => ({
    userId: i.userId,
    home: i.home,
    keyId: i.keyId,
    month: MONTH,
    reservationId: i.reservationId,
    actualNano: null,
    tokenDelta: 0,
    userTpm: i.limits[1],
    keyTpm: i.limits[3],
    userRpm: i.limits[0],
    keyRpm: i.limits[2],
    now: T0,
    ...over,
  });

  beforeAll(() => {
    redis = new Redis(redisUrl!);
    store = createRedisStore(redis, prefix);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it("grants the whole quantity with no limit, and reserves amount × quantity", async () => {
    const u = await user();
    const i = input(u);
    expect(await store.admit(i)).toMatchObject({ kind: "ok", granted: K, reservedNano: 1_000n * BigInt(K) });
    expect(await store.reserved(u, T0)).toBe(1_000n * BigInt(K));
    // Without a lease request the admission is the single call it always was.
    expect(await store.admit(input(u, { lease: undefined }))).toMatchObject({ kind: "ok", granted: 1 });
    expect(await store.reserved(u, T0)).toBe(1_000n * BigInt(K + 1));
  });

  it("shrinks the lease to 1/100 of the budget left, and grants none below 4 calls", async () => {
    const u = await user(5_000n);
    // Left: 100 × 10 calls → a lease of 10.
    expect(await granted(input(u, { limitNano: 5_000n + 100n * 10n * 1_000n }))).toBe(10);
    const v = await user();
    expect(await granted(input(v, { limitNano: 100n * 3n * 1_000n }))).toBe(1);
    expect(await store.reserved(v, T0)).toBe(1_000n);
    // A budget for exactly 20 calls is never leased: each call is reserved on its own.
    const w = await user();
    const results = [];
    for (let c = 0; c < 21; c++) results.push(await granted(input(w, { limitNano: 20_000n })));
    expect(results).toEqual([...Array(20).fill(1), "budget"]);
  });

  it("counts reservations in flight against the headroom", async () => {
    const u = await user();
    // 100 × 32.31 calls left: a lease of 32; with its 32 000 reserved, 100 × 31.99 left: 31.
    const limitNano = 3_231_000n;
    expect(await granted(input(u, { limitNano }))).toBe(32);
    expect(await granted(input(u, { limitNano }))).toBe(31);
  });

  it("sizes leases to 1/100 of each rate limit and keeps every bucket at least half full", async () => {
    const u = await user();
    expect(await granted(input(u, { limits: [3_200, 0, 0, 0] }))).toBe(32);
    const v = await user();
    expect(await granted(input(v, { limits: [1_000, 0, 0, 0] }))).toBe(10);
    const w = await user();
    expect(await granted(input(w, { limits: [5, 0, 0, 0] }))).toBe(1);
    // Tokens: 100 per call, 1 000 000 per minute → at most 100 calls, 32 asked.
    const x = await user();
    expect(await granted(input(x, { limits: [0, 1_000_000, 0, 0] }))).toBe(32);
    const y = await user();
    expect(await granted(input(y, { limits: [0, 50_000, 0, 0] }))).toBe(5);
    // A key's own bucket counts as much as the user's.
    const z = await user();
    expect(await granted(input(z, { limits: [0, 0, 600, 0] }))).toBe(6);
    // 3 200 per minute, already 1 580 used: the bucket must stay half full, so 20 more at most.
    const h = await user();
    const limits = [3_200, 0, 0, 0] as const;
    await redis.set(`${prefix}${h}:rl:u:req`, String(T0 + 1_580 * 18.75));
    expect(await granted(input(h, { limits }))).toBe(20);
    expect(await granted(input(h, { limits }))).toBe(1);
  });

  it("asks for every missing level counter at once, then holds each level like the user's budget", async () => {
    const u = await user();
    const team = `team:t_${n}`;
    const levels = [
      { name: team, period: MONTH, limit: 100n * 10n * 1_000n },
      { name: `tag:t${n}`, period: MONTH, limit: 100n * 64n * 1_000n },
    ];
    const first = input(u, { levels, teamId: `t_${n}` });
    expect(await store.admit(first)).toEqual({ kind: "seed", levels: [0, 1] });
    await store.seedLevel(u, levels[0]!, 0n);
    await store.seedLevel(u, levels[1]!, 0n);
    // The team's 100 × 10 calls left bind before the tag's and the unlimited user's.
    expect(await granted(first)).toBe(10);
    expect(await store.reservedLevel(u, team, T0)).toBe(10_000n);
    expect(await store.reservedLevel(u, levels[1]!.name, T0)).toBe(10_000n);
    // A settle books the same cost to every level and keeps what calls in flight may cost.
    const result = await store.settle(settle(first, { actualNano: 3_000n, keepNano: 2_000n, levels }));
    expect(result.levels).toEqual([
      { beforeNano: 0n, afterNano: 3_000n },
      { beforeNano: 0n, afterNano: 3_000n },
    ]);
    expect(await store.reservedLevel(u, team, T0)).toBe(2_000n);
    // A level at its limit refuses, naming itself, and nothing is reserved anywhere.
    const tight = [{ name: `key:k${n}`, period: MONTH, limit: 500n }];
    await store.seedLevel(u, tight[0]!, 0n);
    expect(await store.admit(input(u, { levels: tight, lease: undefined }))).toMatchObject({
      kind: "budget",
      level: 0,
      spentNano: 0n,
      reservedNano: 0n,
    });
    expect(await store.reserved(u, T0)).toBe(2_000n);
  });

  it("never leases a calls level, and holds it to its cap", async () => {
    const u = await user();
    const levels = [{ name: `par:k${n}`, period: "", limit: 2n, calls: true }];
    const a = input(u, { levels });
    expect(await granted(a)).toBe(1);
    expect(await granted(input(u, { levels }))).toBe(1);
    expect(await store.admit(input(u, { levels }))).toMatchObject({
      kind: "budget",
      level: 0,
      reservedNano: 2n,
    });
    // Its settle books no spend and frees the slot.
    expect((await store.settle(settle(a, { actualNano: 1_000n, levels }))).levels).toEqual([
      { beforeNano: null, afterNano: null },
    ]);
    expect(await granted(input(u, { levels }))).toBe(1);
  });

  it("lease-only: a lease or nothing at all", async () => {
    const u = await user();
    const only = { quantity: K, only: true };
    expect(await store.admit(input(u, { limitNano: 3_000n, lease: only }))).toEqual({ kind: "nolease" });
    expect(await store.admit(input(u, { limits: [10, 0, 0, 0], lease: only }))).toEqual({ kind: "nolease" });
    expect(await store.reserved(u, T0)).toBe(0n);
    expect(await store.admit(input(`usr_unseeded_${n}`, { lease: only }))).toEqual({ kind: "nolease" });
    expect(await granted(input(u, { lease: only }))).toBe(K);
  });

  it("returns a lease's unused requests and tokens at settle, never into the past", async () => {
    const u = await user();
    const limits = [6_400, 64_000, 0, 0] as const; // 9.375 ms per request, 0.9375 ms per token
    const lease = input(u, { limits, tokens: 10 });
    expect(await granted(lease)).toBe(32);
    const tat = (name: string) => redis.get(`${prefix}${u}:rl:u:${name}`);
    expect(await tat("req")).toBe((T0 + 32 * 9.375).toFixed(3));
    expect(await tat("tok")).toBe((T0 + 320 * 0.9375).toFixed(3));
    // 5 calls used 42 tokens in all: 27 requests and 278 tokens come back.
    const result = await store.settle(
      settle(lease, { actualNano: 4_000n, requestDelta: -27, tokenDelta: 42 - 320 }),
    );
    expect(result).toEqual({ beforeNano: 0n, afterNano: 4_000n, levels: [] });
    expect(await tat("req")).toBe((T0 + 5 * 9.375).toFixed(3));
    expect(await tat("tok")).toBe((T0 + 42 * 0.9375).toFixed(3));
    expect(await store.reserved(u, T0)).toBe(0n);
    expect(await store.settleSequence(u, MONTH)).toBe("1");

    const late = input(u, { limits, tokens: 10 });
    expect(await granted(late)).toBe(32);
    await store.settle(
      settle(late, { actualNano: 0n, requestDelta: -32, tokenDelta: -320, now: T0 + 10_000 }),
    );
    expect(await tat("req")).toBe((T0 + 10_000).toFixed(3));
  });

  it("keeps reserved what calls in flight may still cost, then drops the rest", async () => {
    const u = await user();
    const lease = input(u);
    expect(await granted(lease)).toBe(K);
    await store.settle(settle(lease, { actualNano: 1_500n, keepNano: 2_000n }));
    expect(await store.reserved(u, T0)).toBe(2_000n);
    expect(await store.settle(settle(lease, { actualNano: 700n }))).toEqual({
      beforeNano: 1_500n,
      afterNano: 2_200n,
      levels: [],
    });
    expect(await store.reserved(u, T0)).toBe(0n);
    expect(await store.settleSequence(u, MONTH)).toBe("2");
  });
});

describe("lease arguments of the memory store", () => {
  it("never grants a lease: a call is admitted alone, a lease-only request gets nothing", async () => {
    const store = createMemoryStore(() => T0);
    await store.seed("u", MONTH, 0n);
    const base: AdmitInput = {
      userId: "u",
      home: "u",
      keyId: "k",
      month: MONTH,
      reservationId: "r1",
      amountNano: 5n,
      limitNano: null,
      ttlMs: 60_000,
      limits: [0, 0, 0, 0],
      tokens: 10,
      lease: { quantity: K, only: false },
    };
    expect(await store.admit(base)).toMatchObject({ kind: "ok", granted: 1, reservedNano: 5n });
    expect(await store.admit({ ...base, reservationId: "r2", lease: { quantity: K, only: true } })).toEqual({
      kind: "nolease",
    });
    expect(await store.reserved("u")).toBe(5n);
  });
});
