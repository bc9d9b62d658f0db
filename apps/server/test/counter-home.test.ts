import { randomBytes } from "node:crypto";
import { addDecimals } from "@llmg/core";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
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
  userWithCredential,
} from "./budget-fixtures";
import { call, type TestGateway } from "./harness";

/**
 * Team membership moves a user's counters (limits/home.ts): under the team's hash tag while it
 * belongs to one team, under its own otherwise. A move starts the new home from the usage rows
 * and retires the old one, so a replica whose cache still names the old home reads the new one
 * at its next call. Held on one Redis with two replicas, and embedded. (On a Redis Cluster:
 * redis-cluster.test.ts.)
 */
const N = 6;
const MAX_TOKENS = 20;
const setups = modeSetups(2);
const unique = (p: string) => `${p}-${randomBytes(4).toString("hex")}`;

describe.each(setups)("counter homes: $name", (setup) => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  let cost: string;
  const prefix = testPrefix();
  const first = () => replicas[0]!;
  const last = () => replicas[replicas.length - 1]!;
  const admin = (path: string, body?: unknown, method?: string) =>
    call(`${first().url}/api${path}`, {
      key: first().adminKey,
      ...(body ? { body } : {}),
      ...(method ? { method } : {}),
    });
  const team = async (budget?: string) =>
    (await admin("/admin/teams", { name: unique("team"), ...(budget ? { monthly_budget_usd: budget } : {}) }))
      .body.data.id as string;
  const join = (teamId: string, userId: string) =>
    admin(`/admin/teams/${teamId}/members`, { user_id: userId, role: "member" });
  const leave = (teamId: string, userId: string) =>
    admin(`/admin/teams/${teamId}/members/${userId}`, undefined, "DELETE");
  const teamKey = async (userId: string, teamId: string) =>
    (await admin(`/admin/users/${userId}/keys`, { team_id: teamId })).body.data.key as string;
  const home = async (userId: string) =>
    (
      await first()
        .database.db.selectFrom("users")
        .select("counter_home")
        .where("id", "=", userId)
        .executeTakeFirstOrThrow()
    ).counter_home;

  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-home" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas(setup.kind, setup.replicas, fake, { redis: setup.redis, prefix });
    cost = costOfCall(first(), MAX_TOKENS);
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  it("places a user under its one team's hash tag, and under its own with none or several", async () => {
    const a = await team();
    const b = await team();
    const { user } = await userWithCredential(first(), fake);
    expect(await home(user.id)).toBeNull();
    expect((await join(a, user.id)).status).toBe(200);
    const inA = await home(user.id);
    expect(inA).toMatch(new RegExp(`^\\{team:${a}\\}:u:${user.id}:[0-9a-f]{8}$`));
    // A role change keeps the home.
    await admin(`/admin/teams/${a}/members`, { user_id: user.id, role: "manager" });
    expect(await home(user.id)).toBe(inA);
    // On one Redis a second team is allowed; the counters go back under the user's own tag.
    expect((await join(b, user.id)).status).toBe(200);
    const both = await home(user.id);
    expect(both).toMatch(new RegExp(`^\\{${user.id}\\}:[0-9a-f]{8}$`));
    // Calls of either team still count for it.
    for (const t of [a, b])
      expect((await chat(first(), await teamKey(user.id, t), MAX_TOKENS)).status).toBe(200);
    expect((await leave(a, user.id)).status).toBe(200);
    const inB = await home(user.id);
    expect(inB).toMatch(new RegExp(`^\\{team:${b}\\}:u:${user.id}:[0-9a-f]{8}$`));
    expect(new Set([inA, both, inB]).size).toBe(3);
  });

  it("keeps a user's spend exact across moves, on every replica", async () => {
    const teamId = await team();
    const { user, key: own } = await userWithCredential(first(), fake, {
      monthly_budget_usd: times(cost, N),
    });
    // Every replica caches the user's home before each move.
    for (const r of replicas) expect((await chat(r, own, MAX_TOKENS)).status).toBe(200);
    expect((await join(teamId, user.id)).status).toBe(200);
    expect((await chat(last(), await teamKey(user.id, teamId), MAX_TOKENS)).status).toBe(200);
    expect((await leave(teamId, user.id)).status).toBe(200);
    expect((await chat(last(), own, MAX_TOKENS)).status).toBe(200);
    expect((await join(teamId, user.id)).status).toBe(200);
    const spentCalls = replicas.length + 2;
    const key = await teamKey(user.id, teamId);
    const results = await Promise.all(
      Array.from({ length: 10 * N }, (_, i) => chat(replicas[i % replicas.length]!, key, MAX_TOKENS)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(N - spentCalls);
    for (const refused of results.filter((r) => r.status === 402)) {
      expect(refused.body.details).toMatchObject({ scope: "user" });
    }
    const rows = await first()
      .database.db.selectFrom("requests")
      .select("total_cost")
      .where("user_id", "=", user.id)
      .where("status", "=", "success")
      .execute();
    expect(addDecimals("0", ...rows.map((r) => r.total_cost))).toBe(times(cost, N));
    for (const r of replicas) expect(await r.gateway.services.limits.reservedNano(user.id)).toBe(0n);
  });
});
