import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { createLimitsFor, DEFAULT_LEASE_OPTIONS, type Limits, reconcileBudgets, usdToNano } from "@llmg/api";
import { estimatePromptTokens } from "@llmg/core";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeBehavior, type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  closeReplicas,
  costOfCall,
  exactUsage,
  flushPrefix,
  MESSAGES,
  startReplicas,
  testPrefix,
  times,
  useClock,
  userWithCredential,
} from "./budget-fixtures";
import { call, type TestGateway } from "./harness";

/**
 * Leases: far from every limit a replica reserves for a batch of calls in one Redis admit and
 * books them in one settle. What must hold: far fewer round trips, yet every nano-USD booked
 * exactly once, exact per-call admission near a limit, crashed leases expiring, and this
 * replica's reads exact right after a call.
 */
const production = testRedisUrl() !== null && testBackends().includes("postgres");
const MAX_TOKENS = 20;
const PROMPT = estimatePromptTokens(MESSAGES);
const BIG_BUDGET = "1000";

const limitsOf = (t: TestGateway) => t.gateway.services.limits;
const leaseStats = (replicas: TestGateway[]) => replicas.map((r) => limitsOf(r).leaseStats());
const month = () => new Date().toISOString().slice(0, 7);

/** The nano-USD the settles must have booked: each call's actual cost rounded up, as booked. */
async function rowsNano(t: TestGateway, userId: string): Promise<bigint> {
  const rows = await t.database.db
    .selectFrom("requests")
    .select("total_cost")
    .where("user_id", "=", userId)
    .execute();
  return rows.reduce((sum, r) => sum + usdToNano(r.total_cost, "up"), 0n);
}

/**
 * Every command a client sends that touches one user's keys (all carry the {userId} hash tag);
 * the commands scripts run inside Redis are left out: they cost no round trip.
 *
 * MONITOR is read from a plain socket: ioredis's monitor() mode shares its reply parser with the
 * command queue and failed with "Command queue state error" when output and replies interleaved.
 * Each MONITOR line is `+<time> [<db> <source>] "cmd" "arg" ...`, source "lua" for script calls.
 */
async function watchRedis(userId: string) {
  const url = new URL(testRedisUrl()!);
  const socket = connect(Number(url.port || 6379), url.hostname);
  socket.setEncoding("utf8");
  // The user's id is in every key of its home, whether under its own hash tag or its team's.
  const tag = userId;
  const commands: string[] = [];
  const waiters: { marker: string; resolve: () => void }[] = [];
  let buffered = "";
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("data", (chunk: string) => {
      buffered += chunk;
      let end = buffered.indexOf("\r\n");
      while (end >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf("\r\n");
        if (line === "+OK") resolve();
        const source = /^\+[\d.]+ \[\d+ ([^\]]+)\]/.exec(line)?.[1];
        if (source === undefined) continue;
        for (const w of waiters.filter((w) => line.includes(w.marker))) w.resolve();
        if (source !== "lua" && line.includes(tag)) commands.push(line);
      }
    });
  });
  socket.write("MONITOR\r\n");
  await ready;
  return {
    commands,
    /** Returns once every command executed before the call has been seen. */
    async stop() {
      const marker = `llmg-monitor-end-${randomBytes(6).toString("hex")}`;
      const seen = new Promise<void>((resolve) => waiters.push({ marker, resolve }));
      const client = new Redis(testRedisUrl()!);
      try {
        await client.echo(marker);
        await seen;
      } finally {
        client.disconnect();
        socket.destroy();
      }
    },
  };
}

async function runWorkers<T>(workers: number, each: number, fn: (worker: number, i: number) => Promise<T>) {
  const out: T[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < each; i++) out.push(await fn(w, i));
    }),
  );
  return out;
}

describe.skipIf(!production)("budget leases (production mode, two replicas)", () => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  let redis: Redis;
  const prefix = testPrefix();
  const counter = async (userId: string) =>
    BigInt((await redis.hget(`${prefix}{${userId}}:spend:${month()}`, "spent")) ?? "-1");
  const reservedInRedis = async (userId: string) =>
    BigInt((await redis.hget(`${prefix}{${userId}}:res`, "_total")) ?? "0");
  const flushAll = () => Promise.all(replicas.map((r) => limitsOf(r).flush()));

  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-leases" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas("postgres", 2, fake, {
      redis: true,
      prefix,
      env: { LLMG_PROVIDER_MAX_RETRIES: "0" },
    });
    redis = new Redis(testRedisUrl()!);
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    await redis?.quit();
    await flushPrefix(prefix);
  });

  it("makes far fewer Redis round trips than calls, and books their exact sum after flush()", async () => {
    const [a] = replicas as [TestGateway];
    const { user, key } = await userWithCredential(a, fake, { monthly_budget_usd: BIG_BUDGET });
    const before = limitsOf(a).leaseStats();
    const watch = await watchRedis(user.id);
    const N = 100;
    const started = performance.now();
    try {
      for (let i = 0; i < N; i++) expect((await chat(a, key, MAX_TOKENS)).status).toBe(200);
    } finally {
      await watch.stop();
    }
    const elapsedMs = performance.now() - started;
    const after = limitsOf(a).leaseStats();
    process.stdout.write(
      `[leases] ${N} sequential calls: ${watch.commands.length} Redis commands on the user's keys, ${after.localAdmits - before.localAdmits} admitted locally\n`,
    );
    // A lease costs one admit and one settle, and ends when used up or a lifetime old: on a slow
    // machine the calls span more lifetimes, so the bounds follow the time they took (per-call
    // admission would be 2 commands per call, and no call admitted locally).
    const { quantity, lifetimeMs } = DEFAULT_LEASE_OPTIONS;
    const leases = Math.ceil(N / quantity) + Math.ceil(elapsedMs / lifetimeMs) + 1;
    expect(after.localAdmits - before.localAdmits).toBeGreaterThanOrEqual(Math.max(N - leases, N / 2));
    expect(watch.commands.length).toBeLessThanOrEqual(Math.min(2 * leases, N));

    await limitsOf(a).flush();
    expect(await counter(user.id)).toBe(await rowsNano(a, user.id));
    expect(await counter(user.id)).toBe(usdToNano(times(costOfCall(a, MAX_TOKENS), N), "up"));
    expect(await reservedInRedis(user.id)).toBe(0n);
    expect(await limitsOf(a).reservedNano(user.id)).toBe(0n);
  });

  it("with a key budget, a team and a tag budget on: still leased, and every level booked exactly", async () => {
    const [a] = replicas as [TestGateway];
    const admin = (path: string, body: unknown, method?: string) =>
      call(`${a.url}/api${path}`, { key: a.adminKey, body, ...(method ? { method } : {}) });
    const { user, key: ownKey } = await userWithCredential(a, fake, { monthly_budget_usd: BIG_BUDGET });
    const team = await admin("/admin/teams", {
      name: `leases-${randomBytes(4).toString("hex")}`,
      monthly_budget_usd: BIG_BUDGET,
    });
    const teamId = team.body.data.id as string;
    await admin(`/admin/teams/${teamId}/members`, { user_id: user.id });
    const made = await admin(`/admin/users/${user.id}/keys`, {
      team_id: teamId,
      budget_usd: BIG_BUDGET,
      budget_period: "day",
    });
    const key = made.body.data.key as string;
    const keyId = made.body.data.id as string;
    await call(`${a.url}/api/budget/tags/leased`, {
      key: ownKey,
      method: "PUT",
      body: { monthly_budget_usd: BIG_BUDGET },
    });
    const before = limitsOf(a).leaseStats();
    const watch = await watchRedis(user.id);
    const N = 100;
    const started = performance.now();
    try {
      for (let i = 0; i < N; i++) {
        expect((await chat(a, key, MAX_TOKENS, { "x-llmg-tags": "leased" })).status).toBe(200);
      }
    } finally {
      await watch.stop();
    }
    const elapsedMs = performance.now() - started;
    const after = limitsOf(a).leaseStats();
    process.stdout.write(
      `[leases] ${N} sequential calls with key, team and tag budgets: ${watch.commands.length} Redis commands, ${after.localAdmits - before.localAdmits} admitted locally\n`,
    );
    const { quantity, lifetimeMs } = DEFAULT_LEASE_OPTIONS;
    const leases = Math.ceil(N / quantity) + Math.ceil(elapsedMs / lifetimeMs) + 1;
    // The first call of each level's period seeds its counter: one more admit for it.
    expect(watch.commands.length).toBeLessThanOrEqual(Math.min(2 * leases + 2, N));
    expect(after.localAdmits - before.localAdmits).toBeGreaterThanOrEqual(Math.max(N - leases, N / 2));

    await limitsOf(a).flush();
    const booked = usdToNano(times(costOfCall(a, MAX_TOKENS), N), "up");
    // A member of one team keeps its counters under the team's hash tag (see limits/home.ts).
    const { counter_home: home } = await a.database.db
      .selectFrom("users")
      .select("counter_home")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(home).toMatch(new RegExp(`^\\{team:${teamId}\\}:u:${user.id}:`));
    const level = async (at: string, name: string, period: string) =>
      BigInt((await redis.hget(`${prefix}${at}:lvl:${name}:spend:${period}`, "spent")) ?? "-1");
    const today = new Date().toISOString().slice(0, 10);
    expect(await level(home!, `key:${keyId}`, today)).toBe(booked);
    expect(await level(`{team:${teamId}}`, `team:${teamId}`, month())).toBe(booked);
    expect(await level(home!, "tag:leased", month())).toBe(booked);
    expect(BigInt((await redis.hget(`${prefix}${home}:spend:${month()}`, "spent")) ?? "-1")).toBe(booked);
    for (const l of [
      { scope: "key" as const, id: keyId },
      { scope: "team" as const, id: teamId },
      { scope: "tag" as const, id: "leased" },
    ]) {
      expect(await limitsOf(a).reservedForLevel({ ...l, userId: user.id })).toBe(0n);
    }
  });

  it("books exactly the usage rows' total under concurrent load on two replicas", async () => {
    const { user, key } = await userWithCredential(replicas[0]!, fake, { monthly_budget_usd: BIG_BUDGET });
    // Calls cost less than reserved, some fail (released, nothing booked), some stream.
    const behaviors: FakeBehavior[] = Array.from({ length: 400 }, (_, i) =>
      i % 9 === 4
        ? { type: "error", status: 400 }
        : { type: "success", usage: { prompt: PROMPT, completion: 1 + ((i * 7) % MAX_TOKENS) } },
    );
    fake.enqueue(...behaviors);
    const before = leaseStats(replicas);
    const statuses = await runWorkers(16, 25, (w, i) =>
      i % 5 === 0
        ? fetch(`${replicas[w % 2]!.url}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({
              model: "gpt-4o-mini",
              messages: MESSAGES,
              max_tokens: MAX_TOKENS,
              stream: true,
            }),
          }).then(async (r) => {
            await r.text();
            return r.status;
          })
        : chat(replicas[w % 2]!, key, MAX_TOKENS).then((r) => r.status),
    );
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(300);
    const after = leaseStats(replicas);
    for (const [i, s] of after.entries()) expect(s.localAdmits).toBeGreaterThan(before[i]!.localAdmits);

    await flushAll();
    const booked = await counter(user.id);
    expect(booked).toBe(await rowsNano(replicas[0]!, user.id));
    expect(booked).toBeGreaterThan(0n);
    expect(await reservedInRedis(user.id)).toBe(0n);
    process.stdout.write(
      `[leases] 400 concurrent calls on 2 replicas: ${after.reduce((n, s, i) => n + s.localAdmits - before[i]!.localAdmits, 0)} admitted locally, booked ${booked} nano-USD = rows\n`,
    );
  });

  it("takes no lease near a limit: a budget for 20 calls admits exactly 20, RPM 5 exactly 5", async () => {
    const [a, b] = replicas as [TestGateway, TestGateway];
    const cost = costOfCall(a, MAX_TOKENS);
    const tight = await userWithCredential(a, fake, { monthly_budget_usd: times(cost, 20) });
    const slow = await userWithCredential(a, fake, { rate_limit_rpm: 5 });
    const before = leaseStats(replicas);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await chat(i % 2 ? b : a, tight.key, MAX_TOKENS)).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 402)).toBe(true);
    const rated: number[] = [];
    for (let i = 0; i < 8; i++) rated.push((await chat(i % 2 ? b : a, slow.key, MAX_TOKENS)).status);
    expect(rated).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(leaseStats(replicas).map((s) => s.granted)).toEqual(before.map((s) => s.granted));
    expect(await counter(tight.user.id)).toBe(usdToNano(times(cost, 20), "up"));
  });

  it("shows a call's cost in GET /api/budget right after it, on the replica that served it", async () => {
    const [a] = replicas as [TestGateway];
    const { user, key } = await userWithCredential(a, fake, { monthly_budget_usd: BIG_BUDGET });
    const granted = limitsOf(a).leaseStats().granted;
    const res = await chat(a, key, MAX_TOKENS);
    expect(res.status).toBe(200);
    expect(limitsOf(a).leaseStats().granted).toBe(granted + 1);
    const budget = (await call(`${a.url}/api/budget`, { key })).body.data;
    expect(budget).toMatchObject({
      spent_usd_exact: res.body.cost.total_cost_exact,
      reserved_usd_exact: "0",
    });
    // The lease was closed to answer: the shared counter has the call too.
    expect(await counter(user.id)).toBe(usdToNano(res.body.cost.total_cost_exact, "up"));
  });

  it("fires a threshold once when a lease's close crosses it", async () => {
    const cost = costOfCall(replicas[0]!, MAX_TOKENS);
    const { user, key } = await userWithCredential(replicas[0]!, fake, {
      monthly_budget_usd: times(cost, 5_000),
    });
    const put = await call(`${replicas[0]!.url}/api/budget`, {
      key,
      method: "PUT",
      body: { thresholds: [1, 50] },
    });
    expect(put.status).toBe(200);
    const before = leaseStats(replicas);
    // 1% is 50 calls: crossed inside some lease's batch, on either replica.
    const statuses = await runWorkers(4, 20, (w) =>
      chat(replicas[w % 2]!, key, MAX_TOKENS).then((r) => r.status),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(leaseStats(replicas).every((s, i) => s.granted > before[i]!.granted)).toBe(true);
    await flushAll();
    const db = replicas[0]!.database.db;
    const alerts = await db.selectFrom("budget_alerts").selectAll().where("user_id", "=", user.id).execute();
    expect(alerts.map((a) => a.threshold_percent)).toEqual([1]);
    expect(BigInt(usdToNano(alerts[0]!.spent_usd, "up")) * 100n).toBeGreaterThanOrEqual(
      usdToNano(times(cost, 5_000), "up"),
    );
    const logged = await db
      .selectFrom("activity_log")
      .selectAll()
      .where("user_id", "=", user.id)
      .where("action", "=", "budget.alert")
      .execute();
    expect(logged).toHaveLength(1);
  });

  it("returns a lease's unused requests to the RPM bucket when it closes", async () => {
    const [a] = replicas as [TestGateway];
    const { user, key } = await userWithCredential(a, fake, { rate_limit_rpm: 6_400 });
    await limitsOf(a).flush();
    const T = Date.now();
    const limits: Limits = useClock(a, () => T);
    try {
      const remaining: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await chat(a, key, MAX_TOKENS);
        expect(res.status).toBe(200);
        remaining.push(res.headers.get("x-ratelimit-remaining-requests") ?? "");
      }
      // Headers as per call, although the lease reserved 32 requests at once.
      expect(remaining).toEqual(["6399", "6398", "6397", "6396", "6395"]);
      expect(limits.leaseStats().granted).toBe(1);
      const tat = () => redis.get(`${prefix}{${user.id}}:rl:u:req`);
      expect(await tat()).toBe((T + 32 * 9.375).toFixed(3));
      await limits.flush();
      expect(await tat()).toBe((T + 5 * 9.375).toFixed(3));
    } finally {
      await limits.flush();
      useClock(a, Date.now);
    }
  });

  it("books a retired lease's finished calls while a long call of it is still in flight", async () => {
    const [a] = replicas as [TestGateway];
    const { user, key } = await userWithCredential(a, fake, { monthly_budget_usd: BIG_BUDGET });
    const seen = fake.requests.length;
    fake.enqueue({ type: "delay", ms: 4_000 });
    const long = chat(a, key, MAX_TOKENS);
    while (fake.requests.length === seen) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 2; i++) expect((await chat(a, key, MAX_TOKENS)).status).toBe(200);
    // The lease retires at 1 s; the two finished calls must be booked then, not when the long
    // one ends (reconciliation raises counters to rows older than its grace).
    const booked = await rowsNano(a, user.id);
    const deadline = Date.now() + 3_000;
    while ((await counter(user.id)) !== booked && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await counter(user.id)).toBe(booked);
    expect(fake.requests.length).toBe(seen + 3);
    expect((await long).status).toBe(200);
    await flushAll();
    expect(await counter(user.id)).toBe(await rowsNano(a, user.id));
    expect(await reservedInRedis(user.id)).toBe(0n);
  });
});

describe.skipIf(!production)("a replica that dies holding a lease (production mode)", () => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  const prefix = testPrefix();
  const TTL_MS = 3_000;
  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-lease-crash" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas("postgres", 2, fake, {
      redis: true,
      prefix,
      env: { LLMG_RESERVATION_TTL_MS: String(TTL_MS) },
    });
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    await flushPrefix(prefix);
  });

  it("lets the lease's reservation expire by its TTL; reconciliation books the calls from their rows", async () => {
    const [a, b] = replicas as [TestGateway, TestGateway];
    const { user, key } = await userWithCredential(a, fake, { monthly_budget_usd: BIG_BUDGET });
    // Replica a's limits get a Redis connection of their own, to cut as a crash would.
    const severed = new Redis(testRedisUrl()!);
    const { services } = a.gateway;
    const doomed = createLimitsFor({
      db: services.db,
      config: services.config,
      logger: services.logger,
      redis: severed,
    });
    services.limiter = doomed;
    services.limits = doomed;
    const costs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await chat(a, key, MAX_TOKENS);
      expect(res.status).toBe(200);
      costs.push(res.body.cost.total_cost_exact);
    }
    severed.disconnect();
    expect(doomed.leaseStats()).toMatchObject({ granted: 1, live: 1 });

    const leaseNano = usdToNano(costOfCall(a, MAX_TOKENS), "up") * 32n;
    expect(await limitsOf(b).reservedNano(user.id)).toBe(leaseNano);
    const deadline = Date.now() + 10 * TTL_MS;
    while ((await limitsOf(b).reservedNano(user.id)) !== 0n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await limitsOf(b).reservedNano(user.id)).toBe(0n);

    const redis = new Redis(testRedisUrl()!);
    try {
      const spendKey = `${prefix}{${user.id}}:spend:${month()}`;
      // The three calls were settled in the dead replica only: the counter never got them...
      expect(await redis.hget(spendKey, "spent")).toBe("0");
      // ...until the reconciliation raises it to the usage rows, once they are older than its
      // grace (a live lease books its calls well within it).
      await reconcileBudgets({ db: b.database.db, limits: limitsOf(b) });
      expect(await redis.hget(spendKey, "spent")).toBe("0");
      const later = createLimitsFor({
        db: b.database.db,
        config: b.gateway.services.config,
        logger: b.gateway.services.logger,
        redis,
        clock: () => Date.now() + 60_000,
      });
      await reconcileBudgets({ db: b.database.db, limits: later });
      expect(BigInt((await redis.hget(spendKey, "spent")) ?? "-1")).toBe(
        costs.reduce((sum, c) => sum + usdToNano(c, "up"), 0n),
      );
    } finally {
      await redis.quit();
    }
  });
});
