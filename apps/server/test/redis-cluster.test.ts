import { randomBytes } from "node:crypto";
import { addDecimals } from "@llmg/core";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  closeReplicas,
  costOfCall,
  exactUsage,
  flushPrefix,
  startReplicas,
  testPrefix,
  times,
  userWithCredential,
} from "./budget-fixtures";
import { call, type TestGateway } from "./harness";
import { clusterKeys, keySlot, type LocalCluster, startLocalCluster } from "./redis-cluster";

/**
 * Budget counters on a real Redis Cluster (three masters started for this file): a cluster runs
 * a script only when all its keys hash to one slot, so every level of a team call — the user's
 * budget and rate buckets, its key's, tags', run's, and the team's — must share a hash tag, or
 * Redis answers CROSSSLOT and no call gets through. Two replicas, one PostgreSQL.
 */
const N = 6;
const MAX_TOKENS = 20;
const enabled = testRedisUrl() !== null && testBackends().includes("postgres");
const unique = (p: string) => `${p}-${randomBytes(4).toString("hex")}`;

describe.skipIf(!enabled)("budget counters on a Redis Cluster", () => {
  let cluster: LocalCluster;
  let fake: FakeProvider;
  let replicas: TestGateway[];
  let cost: string;
  const prefix = testPrefix();
  const first = () => replicas[0]!;
  const second = () => replicas[1]!;
  const admin = (path: string, body?: unknown, method?: string) =>
    call(`${first().url}/api${path}`, {
      key: first().adminKey,
      ...(body ? { body } : {}),
      ...(method ? { method } : {}),
    });

  async function team(budget?: string): Promise<string> {
    const made = await admin("/admin/teams", {
      name: unique("team"),
      ...(budget ? { monthly_budget_usd: budget } : {}),
    });
    expect(made.status).toBe(201);
    return made.body.data.id as string;
  }

  async function join(teamId: string, userId: string) {
    return admin(`/admin/teams/${teamId}/members`, { user_id: userId, role: "member" });
  }

  async function keyFor(
    userId: string,
    fields: Record<string, unknown>,
  ): Promise<{ id: string; key: string }> {
    const made = await admin(`/admin/users/${userId}/keys`, fields);
    if (made.status !== 201) throw new Error(`key: ${made.status} ${JSON.stringify(made.body)}`);
    return { id: made.body.data.id, key: made.body.data.key };
  }

  async function spendOf(column: "team_id" | "user_id", value: string) {
    const rows = await first()
      .database.db.selectFrom("requests")
      .select("total_cost")
      .where(column, "=", value)
      .where("status", "=", "success")
      .execute();
    return { count: rows.length, spent: addDecimals("0", ...rows.map((r) => r.total_cost)) };
  }

  beforeAll(async () => {
    cluster = await startLocalCluster();
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-cluster" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas("postgres", 2, fake, {
      redis: true,
      prefix,
      env: { LLMG_COUNTERS_REDIS_CLUSTER: cluster.nodes },
    });
    cost = costOfCall(first(), MAX_TOKENS);
  }, 60_000);
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    await cluster?.stop();
    await flushPrefix(prefix);
  });

  it("holds a team's budget across two members, their key, tag and run levels, in one slot", async () => {
    const teamId = await team(times(cost, N));
    const members: { id: string; key: string; tag: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const { user, key: own } = await userWithCredential(first(), fake, {
        monthly_budget_usd: times(cost, 100),
      });
      expect((await join(teamId, user.id)).status).toBe(200);
      const tag = unique("tag");
      expect(
        (
          await call(`${first().url}/api/budget/tags/${tag}`, {
            key: own,
            method: "PUT",
            body: { monthly_budget_usd: times(cost, 100) },
          })
        ).status,
      ).toBe(200);
      const key = await keyFor(user.id, {
        team_id: teamId,
        budget_usd: times(cost, 100),
        budget_period: "day",
        rpm: 1_000,
      });
      members.push({ id: user.id, key: key.key, tag });
    }
    const results = await Promise.all(
      Array.from({ length: 10 * N }, (_, i) => {
        const m = members[i % 2]!;
        return chat(replicas[i % 2]!, m.key, MAX_TOKENS, {
          "x-llmg-tags": m.tag,
          "x-llmg-run-id": `run-${m.id}`,
          "x-llmg-run-budget-usd": times(cost, 100),
        });
      }),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(N);
    expect(statuses.filter((s) => s === 402)).toHaveLength(9 * N);
    for (const refused of results.filter((r) => r.status === 402)) {
      expect(refused.body.details).toMatchObject({ scope: "team", id: teamId });
    }
    expect(await spendOf("team_id", teamId)).toEqual({ count: N, spent: times(cost, N) });
    for (const r of replicas) {
      expect(
        await r.gateway.services.limits.reservedForLevel({ scope: "team", id: teamId, userId: "" }),
      ).toBe(0n);
      for (const m of members) expect(await r.gateway.services.limits.reservedNano(m.id)).toBe(0n);
    }
    // Every counter of both members lives in the team's slot: what made each admission one script.
    const teamSlot = await keySlot(cluster, `{team:${teamId}}`);
    const keys = await clusterKeys(cluster, prefix);
    // Joining the team retired each member's own home: its marker stays in the home it marks.
    for (const m of members) expect(keys).toContain(`${prefix}{${m.id}}:moved`);
    const theirs = keys.filter(
      (k) => (members.some((m) => k.includes(m.id)) || k.includes(teamId)) && !k.endsWith(":moved"),
    );
    expect(theirs.some((k) => k.includes(":lvl:key:"))).toBe(true);
    expect(theirs.some((k) => k.includes(":lvl:tag:"))).toBe(true);
    expect(theirs.some((k) => k.includes(":lvl:run:"))).toBe(true);
    expect(theirs.some((k) => k.includes(":rl:"))).toBe(true);
    for (const k of theirs) expect(await keySlot(cluster, k)).toBe(teamSlot);
    process.stdout.write(`[cluster] team budget (2 users, 2 replicas) admitted ${N} of ${10 * N}\n`);
  });

  it("refuses a second team while the counters are on a cluster", async () => {
    const a = await team();
    const b = await team();
    const { user } = await userWithCredential(first(), fake);
    expect((await join(a, user.id)).status).toBe(200);
    const refused = await join(b, user.id);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: "conflict", details: { field: "user_id", team_id: a } });
    // A role change in the same team is not a second team.
    expect((await admin(`/admin/teams/${a}/members`, { user_id: user.id, role: "manager" })).status).toBe(
      200,
    );
    expect((await admin(`/admin/teams/${a}/members/${user.id}`, undefined, "DELETE")).status).toBe(200);
    expect((await join(b, user.id)).status).toBe(200);
  });

  it("keeps a user's spend exact when membership changes move its counters, back and forth", async () => {
    const teamId = await team();
    const { user, key: own } = await userWithCredential(first(), fake, {
      monthly_budget_usd: times(cost, N),
    });
    // 2 calls at home, 1 in the team, 1 back at home, then back in the team: 4 of N spent.
    for (let i = 0; i < 2; i++) expect((await chat(second(), own, MAX_TOKENS)).status).toBe(200);
    expect((await join(teamId, user.id)).status).toBe(200);
    // The second replica still holds the user's settings from before the move: it must read them
    // again rather than send a script whose keys span two slots.
    const inTeam = await keyFor(user.id, { team_id: teamId });
    expect((await chat(second(), inTeam.key, MAX_TOKENS)).status).toBe(200);
    expect((await admin(`/admin/teams/${teamId}/members/${user.id}`, undefined, "DELETE")).status).toBe(200);
    expect((await chat(first(), own, MAX_TOKENS)).status).toBe(200);
    expect((await join(teamId, user.id)).status).toBe(200);
    const again = await keyFor(user.id, { team_id: teamId });
    // Back under the team's tag, a fresh home: it starts from the rows (4 calls), not from the
    // counter it left behind there (3 calls).
    const results = await Promise.all(
      Array.from({ length: 10 * N }, (_, i) => chat(replicas[i % 2]!, again.key, MAX_TOKENS)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(N - 4);
    for (const refused of results.filter((r) => r.status === 402)) {
      expect(refused.body.details).toMatchObject({ scope: "user" });
    }
    expect(await spendOf("user_id", user.id)).toEqual({ count: N, spent: times(cost, N) });
    const budget = await call(`${first().url}/api/budget`, { key: own });
    expect(budget.body.data.spent_usd_exact).toBe(times(cost, N));
  });
});
