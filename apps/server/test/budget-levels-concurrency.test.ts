import { randomBytes } from "node:crypto";
import { RECONCILE_GRACE_MS, reconcileBudgets, usdToNano } from "@llmg/api";
import { addDecimals } from "@llmg/core";
import { testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  closeReplicas,
  costOfCall,
  exactUsage,
  flushPrefix,
  modeSetups,
  startReplicas,
  testPrefix,
  times,
  useClock,
  userWithCredential,
} from "./budget-fixtures";
import { call, type TestGateway } from "./harness";

/**
 * Every budget level besides the user's is held exactly: a level sized for exactly N calls
 * admits exactly N of 10×N concurrent calls, on one replica or two sharing Redis, the rest are
 * refused with 402 naming the level, the spend booked equals the rows, and nothing stays reserved.
 */
const N = 8;
const MAX_TOKENS = 20;
const setups = modeSetups(2);
const unique = (p: string) => `${p}-${randomBytes(4).toString("hex")}`;

describe.each(setups)("budget levels under concurrency: $name", (setup) => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  let cost: string;
  const prefix = testPrefix();
  const first = () => replicas[0]!;
  const admin = (path: string, body?: unknown, method?: string) =>
    call(`${first().url}/api${path}`, {
      key: first().adminKey,
      ...(body ? { body } : {}),
      ...(method ? { method } : {}),
    });

  /** A key of `userId` with the given fields, through the admin API. */
  async function keyFor(
    userId: string,
    fields: Record<string, unknown>,
  ): Promise<{ id: string; key: string }> {
    const made = await admin(`/admin/users/${userId}/keys`, fields);
    if (made.status !== 201) throw new Error(`key: ${made.status} ${JSON.stringify(made.body)}`);
    return { id: made.body.data.id, key: made.body.data.key };
  }

  /** Fires 10×N calls at once, spread over the replicas; returns their answers. */
  function burst(keys: string[], headers?: Record<string, string>) {
    return Promise.all(
      Array.from({ length: 10 * N }, (_, i) =>
        chat(replicas[i % replicas.length]!, keys[i % keys.length]!, MAX_TOKENS, headers),
      ),
    );
  }

  function expectExactly(results: { status: number; body: any }[], scope: string, id: string) {
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(N);
    expect(statuses.filter((s) => s === 402)).toHaveLength(9 * N);
    for (const refused of results.filter((r) => r.status === 402)) {
      expect(refused.body.error).toBe("budget_exceeded");
      expect(refused.body.details).toMatchObject({ scope, id, limit_usd: times(cost, N) });
    }
  }

  async function rowsSpend(
    where: { column: "api_key_id" | "team_id" | "run_id"; value: string } | { tag: string },
  ) {
    let query = first()
      .database.db.selectFrom("requests")
      .select("total_cost")
      .where("status", "=", "success");
    if ("tag" in where) query = query.where("tags", "@>", sql<string[]>`array[${where.tag}]::text[]`);
    else query = query.where(where.column, "=", where.value);
    const rows = await query.execute();
    return { count: rows.length, spent: addDecimals("0", ...rows.map((r) => r.total_cost)) };
  }

  async function noneReserved(level: { scope: "key" | "team" | "tag" | "run"; id: string; userId: string }) {
    for (const r of replicas) expect(await r.gateway.services.limits.reservedForLevel(level)).toBe(0n);
  }

  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-levels" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas(setup.kind, setup.replicas, fake, { redis: setup.redis, prefix });
    cost = costOfCall(first(), MAX_TOKENS);
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  it("holds a key's own budget", async () => {
    const { user } = await userWithCredential(first(), fake);
    const key = await keyFor(user.id, { budget_usd: times(cost, N), budget_period: "month" });
    const results = await burst([key.key]);
    expectExactly(results, "key", key.id);
    expect(await rowsSpend({ column: "api_key_id", value: key.id })).toEqual({
      count: N,
      spent: times(cost, N),
    });
    await noneReserved({ scope: "key", id: key.id, userId: user.id });
    process.stdout.write(`[levels] ${setup.name}: key budget admitted ${N} of ${10 * N}\n`);
  });

  it("holds a team's budget shared by two users on every replica", async () => {
    const team = await admin("/admin/teams", { name: unique("team"), monthly_budget_usd: times(cost, N) });
    expect(team.status).toBe(201);
    const teamId = team.body.data.id as string;
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { user } = await userWithCredential(first(), fake);
      expect(
        (await admin(`/admin/teams/${teamId}/members`, { user_id: user.id, role: "member" })).status,
      ).toBe(200);
      keys.push((await keyFor(user.id, { team_id: teamId })).key);
    }
    const results = await burst(keys);
    expectExactly(results, "team", teamId);
    expect(await rowsSpend({ column: "team_id", value: teamId })).toEqual({
      count: N,
      spent: times(cost, N),
    });
    await noneReserved({ scope: "team", id: teamId, userId: "" });
    process.stdout.write(`[levels] ${setup.name}: team budget (2 users) admitted ${N} of ${10 * N}\n`);
    if (!setup.redis) return;
    // A settle lost to a Redis failover leaves the team's counter low: the reconciliation raises
    // it to the rows once they are past the grace, and the team holds again.
    const redisClient = new Redis(testRedisUrl()!);
    try {
      const counter = `${prefix}{team:${teamId}}:lvl:team:${teamId}:spend:${new Date().toISOString().slice(0, 7)}`;
      expect(await redisClient.hget(counter, "spent")).not.toBeNull();
      await redisClient.hset(counter, "spent", "0");
      const later = useClock(first(), () => Date.now() + RECONCILE_GRACE_MS + 1_000);
      const report = await reconcileBudgets({ db: first().database.db, limits: later });
      expect(report.raised).toBeGreaterThanOrEqual(1);
      expect(BigInt((await redisClient.hget(counter, "spent"))!)).toBe(usdToNano(times(cost, N), "up"));
      useClock(first(), Date.now);
      const again = await chat(first(), keys[0]!, MAX_TOKENS);
      expect(again.status).toBe(402);
      expect(again.body.details).toMatchObject({ scope: "team", id: teamId });
    } finally {
      useClock(first(), Date.now);
      await redisClient.quit();
    }
  });

  it("holds a tag's budget", async () => {
    const { user, key } = await userWithCredential(first(), fake);
    const tag = unique("feature");
    const set = await call(`${first().url}/api/budget/tags/${tag}`, {
      key,
      method: "PUT",
      body: { monthly_budget_usd: times(cost, N) },
    });
    expect(set.status).toBe(200);
    // Calls with another tag only are not held to it.
    expect((await chat(first(), key, MAX_TOKENS, { "x-llmg-tags": "other" })).status).toBe(200);
    const results = await burst([key], { "x-llmg-tags": `${tag},other` });
    expectExactly(results, "tag", tag);
    expect(await rowsSpend({ tag })).toEqual({ count: N, spent: times(cost, N) });
    await noneReserved({ scope: "tag", id: tag, userId: user.id });
    process.stdout.write(`[levels] ${setup.name}: tag budget admitted ${N} of ${10 * N}\n`);
  });

  it("holds an agent run's envelope", async () => {
    const { user, key } = await userWithCredential(first(), fake);
    const runId = unique("run");
    const results = await burst([key], { "x-llmg-run-id": runId, "x-llmg-run-budget-usd": times(cost, N) });
    expectExactly(results, "run", runId);
    expect(await rowsSpend({ column: "run_id", value: runId })).toEqual({ count: N, spent: times(cost, N) });
    await noneReserved({ scope: "run", id: runId, userId: user.id });
    process.stdout.write(`[levels] ${setup.name}: run envelope admitted ${N} of ${10 * N}\n`);
  });

  it("caps a key's calls in flight with max_parallel", async () => {
    const { user } = await userWithCredential(first(), fake);
    const key = await keyFor(user.id, { max_parallel: 3 });
    fake.reset();
    // Every call waits upstream long enough for the whole burst to arrive first.
    for (let i = 0; i < 30; i++)
      fake.enqueue({ type: "delay", ms: 1_500, next: { type: "success", usage: exactUsage(MAX_TOKENS) } });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => chat(replicas[i % replicas.length]!, key.key, MAX_TOKENS)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(27);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body.error).toBe("concurrency_limit_exceeded");
    expect(refused.body.details).toMatchObject({ scope: "key", id: key.id, max_parallel: 3 });
    fake.reset();
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    // Once they end, the slots are free again.
    expect((await chat(first(), key.key, MAX_TOKENS)).status).toBe(200);
    process.stdout.write(`[levels] ${setup.name}: max_parallel 3 admitted 3 of 30\n`);
  });

  it("checks every level in the one step: the tightest refuses and the others hold nothing", async () => {
    const team = await admin("/admin/teams", { name: unique("team"), monthly_budget_usd: times(cost, 100) });
    const teamId = team.body.data.id as string;
    const { user, key: ownKey } = await userWithCredential(first(), fake, {
      monthly_budget_usd: times(cost, 100),
    });
    await admin(`/admin/teams/${teamId}/members`, { user_id: user.id, role: "member" });
    const key = await keyFor(user.id, { team_id: teamId, budget_usd: times(cost, 50), budget_period: "day" });
    const tag = unique("t");
    await call(`${first().url}/api/budget/tags/${tag}`, {
      key: ownKey,
      method: "PUT",
      body: { monthly_budget_usd: times(cost, 50) },
    });
    const runId = unique("run");
    const headers = { "x-llmg-tags": tag, "x-llmg-run-id": runId, "x-llmg-run-budget-usd": times(cost, N) };
    const results = await burst([key.key], headers);
    expectExactly(results, "run", runId);
    // Each level booked the same N calls, no more.
    for (const level of [
      { scope: "key" as const, id: key.id },
      { scope: "team" as const, id: teamId },
      { scope: "tag" as const, id: tag },
    ]) {
      await noneReserved({ ...level, userId: user.id });
    }
    expect(await rowsSpend({ column: "team_id", value: teamId })).toEqual({
      count: N,
      spent: times(cost, N),
    });
    const budget = await call(`${first().url}/api/budget`, { key: ownKey });
    expect(budget.body.data.spent_usd_exact).toBe(times(cost, N));
  });

  it("a key added to a team after spending brings no past spend to the team", async () => {
    const team = await admin("/admin/teams", { name: unique("team"), monthly_budget_usd: times(cost, 2) });
    const teamId = team.body.data.id as string;
    const { user, key } = await userWithCredential(first(), fake);
    await admin(`/admin/teams/${teamId}/members`, { user_id: user.id, role: "member" });
    for (let i = 0; i < 3; i++) expect((await chat(first(), key, MAX_TOKENS)).status).toBe(200);
    const teamKey = await keyFor(user.id, { team_id: teamId });
    expect((await chat(first(), teamKey.key, MAX_TOKENS)).status).toBe(200);
    expect((await chat(first(), teamKey.key, MAX_TOKENS)).status).toBe(200);
    const third = await chat(first(), teamKey.key, MAX_TOKENS);
    expect(third.status).toBe(402);
    expect(third.body.details).toMatchObject({ scope: "team", id: teamId });
    // Removing the member detaches the key: its calls no longer count for the team (nor are held by it).
    expect((await admin(`/admin/teams/${teamId}/members/${user.id}`, undefined, "DELETE")).status).toBe(200);
    expect((await chat(first(), teamKey.key, MAX_TOKENS)).status).toBe(200);
    expect(await rowsSpend({ column: "team_id", value: teamId })).toEqual({
      count: 2,
      spent: times(cost, 2),
    });
  });
});
