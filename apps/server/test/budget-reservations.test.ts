import { configSchema, createLimitsFor, reconcileBudgets, type UserPrincipal, usdToNano } from "@llmg/api";
import { estimatePromptTokens } from "@llmg/core";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  closeReplicas,
  costOfCall,
  exactUsage,
  flushPrefix,
  MESSAGES,
  recordedSpend,
  startReplicas,
  testPrefix,
  times,
  userWithCredential,
} from "./budget-fixtures";
import { call, type TestGateway } from "./harness";

const PROMPT = estimatePromptTokens(MESSAGES);
const production = testRedisUrl() !== null && testBackends().includes("postgres");
const setups = [
  ...(production
    ? [{ name: "production mode", kind: "postgres" as const, replicas: 2 as const, redis: true }]
    : []),
  { name: "embedded mode", kind: "pglite" as const, replicas: 1 as const, redis: false },
];

async function budget(t: TestGateway, key: string) {
  return (await call(`${t.url}/api/budget`, { key })).body.data;
}

describe.each(setups)("reservations: $name", (setup) => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  const prefix = testPrefix();
  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-reservations" });
    replicas = await startReplicas(setup.kind, setup.replicas, fake, {
      redis: setup.redis,
      prefix,
      env: { LLMG_PROVIDER_MAX_RETRIES: "0" },
    });
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  it("reserves the maximum cost, then settles to the actual cost", async () => {
    const t = replicas[0]!;
    const maxCost = costOfCall(t, 1000);
    const { user, key } = await userWithCredential(t, fake, { monthly_budget_usd: maxCost });
    fake.enqueue({ type: "success", usage: { prompt: PROMPT, completion: 5 } });
    const first = await chat(t, key, 1000);
    expect(first.status).toBe(200);
    const actual = costOfCall(t, 5);
    expect(first.body.cost.total_cost_exact).toBe(actual);

    const after = await budget(replicas.at(-1)!, key);
    expect(after).toMatchObject({ spent_usd_exact: actual, reserved_usd_exact: "0" });
    // Its reservation was the maximum; what is left no longer covers another maximum...
    const refused = await chat(replicas.at(-1)!, key, 1000);
    expect(refused.status).toBe(402);
    expect(refused.body.details).toMatchObject({
      spent_usd: actual,
      reserved_usd: "0",
      request_max_cost_usd: maxCost,
    });
    // ...but does cover a smaller call.
    fake.enqueue({ type: "success", usage: { prompt: PROMPT, completion: 5 } });
    expect((await chat(t, key, 5)).status).toBe(200);
    expect(await recordedSpend(t, user.id)).toBe(times(actual, 2));
  });

  it("releases the reservation when the provider call fails", async () => {
    const t = replicas[0]!;
    const cost = costOfCall(t, 10);
    const { user, key } = await userWithCredential(t, fake, { monthly_budget_usd: cost });
    fake.enqueue({ type: "error", status: 500 });
    const failed = await chat(t, key, 10);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(await t.gateway.services.limits.reservedNano(user.id)).toBe(0n);
    fake.enqueue({ type: "success", usage: exactUsage(10) });
    expect((await chat(replicas.at(-1)!, key, 10)).status).toBe(200);
    expect(await recordedSpend(t, user.id)).toBe(cost);
  });
});

describe.skipIf(!production)("reservations and counters across processes (production mode)", () => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  const prefix = testPrefix();
  const config = configSchema.parse({
    REDIS_URL: testRedisUrl() ?? undefined,
    LLMG_REDIS_PREFIX: prefix,
    LLMG_RESERVATION_TTL_MS: "1000",
    LOG_LEVEL: "silent",
  });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-processes" });
    fake.setDefault({ type: "success", usage: exactUsage(10) });
    replicas = await startReplicas("postgres", 2, fake, { redis: true, prefix });
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    await flushPrefix(prefix);
  });

  it("expires the reservation of a process that died mid-call", async () => {
    const [a, b] = replicas as [TestGateway, TestGateway];
    const cost = costOfCall(a, 10);
    const { user, key, keyId } = await userWithCredential(a, fake, { monthly_budget_usd: cost });
    // Another "process" reserves the whole budget, then vanishes without settling.
    const redis = new Redis(testRedisUrl()!);
    const doomed = createLimitsFor({ db: a.gateway.services.db, config, logger: silent, redis });
    const principal: UserPrincipal = {
      kind: "user",
      userId: user.id,
      keyId,
      keyHash: "",
      email: user.email,
      monthlyBudgetUsd: cost,
      rateLimitRpm: null,
      rateLimitTpm: null,
      teamId: null,
      scopes: ["chat", "read", "manage"],
      allowedModels: null,
      expiresAt: null,
      budgetUsd: null,
      budgetPeriod: null,
      maxParallel: null,
    };
    await doomed.admit({ principal, maxCostUsd: cost, maxTokens: 20 });
    redis.disconnect();

    expect((await chat(b, key, 10)).status).toBe(402);
    expect((await budget(b, key)).reserved_usd_exact).toBe(cost);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await budget(b, key)).reserved_usd_exact).toBe("0");
    expect((await chat(b, key, 10)).status).toBe(200);
  });

  it("re-seeds a lost month counter from PostgreSQL, and the budget still holds exactly", async () => {
    const [a, b] = replicas as [TestGateway, TestGateway];
    const cost = costOfCall(a, 10);
    const limit = times(cost, 3);
    const { user, key } = await userWithCredential(a, fake, { monthly_budget_usd: limit });
    expect((await chat(a, key, 10)).status).toBe(200);
    expect((await chat(b, key, 10)).status).toBe(200);
    await flushPrefix(prefix); // as after a FLUSHALL or a Redis restart without persistence
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => chat(replicas[i % 2]!, key, 10)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(await recordedSpend(a, user.id)).toBe(limit);
  });

  it("reconciles counters with the recorded spend: up past the grace, down once the user is idle", async () => {
    const [a] = replicas as [TestGateway];
    const { user, key } = await userWithCredential(a, fake);
    expect((await chat(a, key, 10)).status).toBe(200);
    const redis = new Redis(testRedisUrl()!);
    const month = new Date().toISOString().slice(0, 7);
    const counter = `${prefix}{${user.id}}:spend:${month}`;
    const read = async () => BigInt((await redis.hget(counter, "spent")) ?? "-1");
    try {
      const db = a.gateway.services.db;
      // The worker's limits: no leases of its own, and it cannot close replica a's.
      const now = createLimitsFor({ db, config, logger: silent, redis });
      const later = createLimitsFor({ db, config, logger: silent, redis, clock: () => Date.now() + 60_000 });
      // Far from any limit the call came from a lease, so its row exists before its cost is
      // booked. A reconcile in between must not raise the counter to it, or the lease's close
      // would count the call twice.
      const before = await read();
      await reconcileBudgets({ db, limits: now });
      expect(await read()).toBe(before);
      await a.gateway.services.limits.flush();
      const spent = await recordedSpend(a, user.id);
      expect(await read()).toBe(usdToNano(spent, "up"));
      // A settle lost (e.g. a failover): raised to the recorded spend once its rows are older
      // than the grace (every cost is booked by then, leases included).
      await redis.hset(counter, "spent", "0");
      await reconcileBudgets({ db, limits: now });
      expect(await read()).toBe(0n);
      expect((await reconcileBudgets({ db, limits: later })).raised).toBeGreaterThanOrEqual(1);
      expect(await read()).toBe(usdToNano(spent, "up"));
      // A cost booked whose row never came (the process died in between): lowered only after the grace.
      await redis.hincrby(counter, "spent", 5_000);
      await redis.hset(counter, "last", String(Date.now()));
      await reconcileBudgets({ db, limits: now });
      expect(await read()).toBe(usdToNano(spent, "up") + 5_000n);
      await reconcileBudgets({ db, limits: later });
      expect(await read()).toBe(usdToNano(spent, "up"));
    } finally {
      await redis.quit();
    }
  });
});
