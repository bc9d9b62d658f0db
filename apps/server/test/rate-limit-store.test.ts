import { randomBytes } from "node:crypto";
import { type AdmitInput, type CounterStore, createMemoryStore, createRedisStore } from "@llmg/api";
import { testRedisUrl } from "@llmg/db/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The counter stores' contract, run against both: the Redis Lua scripts (production) and the
 * in-process store (embedded) must decide identically. Time is injected, so nothing sleeps.
 */
const redisUrl = testRedisUrl();
const kinds = redisUrl ? (["memory", "redis"] as const) : (["memory"] as const);
const MONTH = "2026-11";
const T0 = Date.parse("2026-11-15T12:00:00Z");

describe.each(kinds)("counter store: %s", (kind) => {
  let redis: Redis | undefined;
  let store: CounterStore;
  const prefix = `llmg-test:${randomBytes(6).toString("hex")}:`;
  let n = 0;
  const user = () => `usr_${kind}_${++n}`;
  const input = (userId: string, over: Partial<AdmitInput> = {}): AdmitInput => ({
    userId,
    home: userId,
    keyId: "key_a",
    month: MONTH,
    reservationId: randomBytes(8).toString("hex"),
    amountNano: 3n,
    limitNano: 10n,
    ttlMs: 60_000,
    limits: [0, 0, 0, 0],
    tokens: 100,
    now: T0,
    ...over,
  });

  beforeAll(() => {
    if (kind === "redis") {
      redis = new Redis(redisUrl!);
      store = createRedisStore(redis, prefix);
    } else {
      store = createMemoryStore(() => T0);
    }
  });
  afterAll(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it("asks to be seeded, then reserves up to the limit exactly", async () => {
    const u = user();
    expect(await store.admit(input(u))).toEqual({ kind: "seed", levels: [-1] });
    await store.seed(u, MONTH, 1n);
    await store.seed(u, MONTH, 999n); // first writer wins
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await store.admit(input(u)));
    expect(results.map((r) => r.kind)).toEqual(["ok", "ok", "ok", "budget", "budget"]);
    expect(results[3]).toMatchObject({ kind: "budget", spentNano: 1n, reservedNano: 9n });
    expect(await store.reserved(u, T0)).toBe(9n);
    // A call that alone is over the limit, and no limit at all.
    expect((await store.admit(input(u, { amountNano: 11n }))).kind).toBe("budget");
    expect((await store.admit(input(u, { limitNano: null }))).kind).toBe("ok");
  });

  it("settles to the actual cost, releases without booking, and is exact at the limit", async () => {
    const u = user();
    await store.seed(u, MONTH, 0n);
    const a = input(u, { amountNano: 5n });
    const b = input(u, { amountNano: 5n });
    expect((await store.admit(a)).kind).toBe("ok");
    expect((await store.admit(b)).kind).toBe("ok");
    expect((await store.admit(input(u, { amountNano: 1n }))).kind).toBe("budget");
    const settle = {
      userId: u,
      home: u,
      keyId: "key_a",
      month: MONTH,
      tokenDelta: 0,
      userTpm: 0,
      keyTpm: 0,
      now: T0,
    };
    expect(await store.settle({ ...settle, reservationId: a.reservationId, actualNano: 2n })).toEqual({
      beforeNano: 0n,
      afterNano: 2n,
      levels: [],
    });
    expect(await store.settle({ ...settle, reservationId: b.reservationId, actualNano: null })).toEqual({
      beforeNano: null,
      afterNano: null,
      levels: [],
    });
    expect(await store.reserved(u, T0)).toBe(0n);
    // 2 spent: exactly 8 more fit, not 9.
    expect((await store.admit(input(u, { amountNano: 9n }))).kind).toBe("budget");
    expect((await store.admit(input(u, { amountNano: 8n }))).kind).toBe("ok");
  });

  it("expires the reservation of a process that never settles", async () => {
    const u = user();
    await store.seed(u, MONTH, 0n);
    expect((await store.admit(input(u, { amountNano: 10n, ttlMs: 1_000 }))).kind).toBe("ok");
    expect((await store.admit(input(u, { amountNano: 1n, now: T0 + 999 }))).kind).toBe("budget");
    expect(await store.reserved(u, T0 + 999)).toBe(10n);
    expect(await store.reserved(u, T0 + 1_000)).toBe(0n);
    expect((await store.admit(input(u, { amountNano: 10n, now: T0 + 1_000 }))).kind).toBe("ok");
  });

  it("cancels an admission given up on: its reservation and rate charge go, and it cannot land later", async () => {
    const u = user();
    await store.seed(u, MONTH, 0n);
    const limits = [2, 1_000, 0, 0] as const;
    const cancelOf = (a: AdmitInput) => ({
      userId: a.userId,
      home: a.home,
      keyId: a.keyId,
      reservationId: a.reservationId,
      amountNano: a.amountNano,
      tokens: a.tokens,
      limits: a.limits,
      ttlMs: a.ttlMs,
      now: T0,
    });
    // Admitted, then cancelled (its answer came too late): nothing reserved, requests back.
    const late = input(u, { limits, tokens: 400 });
    expect((await store.admit(late)).kind).toBe("ok");
    await store.cancel(cancelOf(late));
    await store.cancel(cancelOf(late)); // repeated: no double refund
    expect(await store.reserved(u, T0)).toBe(0n);
    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push((await store.admit(input(u, { limits, tokens: 400 }))).kind);
    // 2 requests/min and 1,000 tokens/min: the cancelled call's 400 tokens and request came back.
    expect(kinds).toEqual(["ok", "ok", "rate"]);
    expect(await store.reserved(u, T0)).toBe(6n);

    if (kind === "redis") {
      // Cancelled before it ran (queued behind the timeout, or re-sent after a dropped
      // connection): the admission reserves nothing when it does run, whatever its order.
      const v = user();
      await store.seed(v, MONTH, 0n);
      const queued = input(v, { limits, tokens: 400 });
      await store.cancel(cancelOf(queued));
      expect(await store.admit(queued)).toEqual({ kind: "duplicate" });
      const resent = input(v, { limits, tokens: 400 });
      expect((await store.admit(resent)).kind).toBe("ok");
      expect(await store.admit(resent)).toEqual({ kind: "duplicate" });
      expect(await store.reserved(v, T0)).toBe(3n);
      // The tombstone lapses with the TTL.
      expect(await store.reserved(v, T0 + 60_000)).toBe(0n);
    }
  });

  it("rate-limits per user and per key with GCRA, and refills with time", async () => {
    const u = user();
    await store.seed(u, MONTH, 0n);
    const limits = [3, 0, 0, 0] as const;
    const kinds = [];
    for (let i = 0; i < 5; i++) kinds.push((await store.admit(input(u, { limits, limitNano: null }))).kind);
    expect(kinds).toEqual(["ok", "ok", "ok", "rate", "rate"]);
    const refused = await store.admit(input(u, { limits, limitNano: null }));
    expect(refused).toMatchObject({ kind: "rate", bucket: 0, retryAfterMs: 20_000 });
    if (refused.kind === "rate")
      expect(refused.states[0]).toEqual({ limit: 3, remaining: 0, resetMs: 60_000 });
    const later = await store.admit(input(u, { limits, limitNano: null, now: T0 + 20_000 }));
    expect(later).toMatchObject({ kind: "ok" });
    if (later.kind === "ok") expect(later.states[0]).toEqual({ limit: 3, remaining: 0, resetMs: 60_000 });
    // A refused call reserves nothing.
    expect(await store.reserved(u, T0 + 20_000)).toBe(4n * 3n);

    // A key bucket is per key: key_b has its own allowance of 2 while the user has none.
    const v = user();
    await store.seed(v, MONTH, 0n);
    const keyLimits = [0, 0, 2, 0] as const;
    const byKey = async (keyId: string) => (await store.admit(input(v, { keyId, limits: keyLimits }))).kind;
    expect([await byKey("key_a"), await byKey("key_a"), await byKey("key_a")]).toEqual(["ok", "ok", "rate"]);
    expect(await byKey("key_b")).toBe("ok");
  });

  it("charges tokens at admission and corrects them to actual use at settle", async () => {
    const u = user();
    await store.seed(u, MONTH, 0n);
    const limits = [0, 1_000, 0, 0] as const;
    const first = input(u, { limits, tokens: 600, limitNano: null });
    const ok = await store.admit(first);
    expect(ok).toMatchObject({ kind: "ok" });
    if (ok.kind === "ok") expect(ok.states[1]).toEqual({ limit: 1_000, remaining: 400, resetMs: 36_000 });
    expect((await store.admit(input(u, { limits, tokens: 600, limitNano: null }))).kind).toBe("rate");
    // It used 100 of the 600: 500 come back.
    await store.settle({
      userId: u,
      home: u,
      keyId: "key_a",
      month: MONTH,
      reservationId: first.reservationId,
      actualNano: 1n,
      tokenDelta: -500,
      userTpm: 1_000,
      keyTpm: 0,
      now: T0,
    });
    expect((await store.admit(input(u, { limits, tokens: 600, limitNano: null }))).kind).toBe("ok");
  });

  it("reconciles with the database: up always, down only when idle past the grace", async () => {
    const u = user();
    expect(await store.reconcile(u, MONTH, 50n, null, 30_000, T0)).toBe("seeded");
    expect(await store.reconcile(u, MONTH, 70n, await store.settleSequence(u, MONTH), 30_000, T0)).toBe(
      "raised",
    );
    const r = input(u, { amountNano: 5n, limitNano: null });
    await store.admit(r);
    await store.settle({
      userId: u,
      home: u,
      keyId: "key_a",
      month: MONTH,
      reservationId: r.reservationId,
      actualNano: 5n,
      tokenDelta: 0,
      userTpm: 0,
      keyTpm: 0,
      now: T0,
    });
    const seq = await store.settleSequence(u, MONTH);
    // The row of that settle may not be written yet: within the grace nothing is lowered.
    expect(await store.reconcile(u, MONTH, 60n, seq, 30_000, T0 + 1_000)).toBe("kept");
    // A settle happened after the sequence was read: not lowered either.
    expect(await store.reconcile(u, MONTH, 60n, "0", 30_000, T0 + 60_000)).toBe("kept");
    expect(await store.reconcile(u, MONTH, 60n, seq, 30_000, T0 + 30_000)).toBe("lowered");
    const check = await store.admit(input(u, { amountNano: 40n, limitNano: 100n, now: T0 + 30_000 }));
    expect(check).toMatchObject({ kind: "ok", spentNano: 60n });
  });
});
