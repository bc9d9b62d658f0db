import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
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
 * The rules around the budget levels: a model without a price is refused under any budget,
 * a team's rate limits, calendar resets per level, and a limit changed mid-period.
 */
const MAX_TOKENS = 20;
const DAY = 86_400_000;
const unique = (p: string) => `${p}-${randomBytes(4).toString("hex")}`;
const setups = [
  ...(testRedisUrl() !== null && testBackends().includes("postgres")
    ? [{ name: "production mode", kind: "postgres" as const, redis: true }]
    : []),
  { name: "embedded mode", kind: "pglite" as const, redis: false },
];

describe.each(setups)("budget level rules: $name", (setup) => {
  let fake: FakeProvider;
  let t: TestGateway;
  let cost: string;
  const prefix = testPrefix();
  const admin = (path: string, body?: unknown, method?: string) =>
    call(`${t.url}/api${path}`, {
      key: t.adminKey,
      ...(body ? { body } : {}),
      ...(method ? { method } : {}),
    });
  async function keyFor(userId: string, fields: Record<string, unknown>) {
    const made = await admin(`/admin/users/${userId}/keys`, fields);
    if (made.status !== 201) throw new Error(`key: ${made.status} ${JSON.stringify(made.body)}`);
    return { id: made.body.data.id as string, key: made.body.data.key as string };
  }
  const free = (key: string) =>
    call(`${t.url}/api/chat/completions`, {
      key,
      body: { provider: "openai", model: "free-model", messages: MESSAGES, max_tokens: MAX_TOKENS },
    });

  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-rules" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    // A price-file model with no rate: everything it does costs $0.
    const file = join(mkdtempSync(join(tmpdir(), "llmg-pricing-")), "overrides.json");
    writeFileSync(
      file,
      JSON.stringify({ "openai/free-model": { input_cost_per_token: "0", output_cost_per_token: "0" } }),
    );
    [t] = (await startReplicas(setup.kind, 1, fake, {
      redis: setup.redis,
      prefix,
      env: { LLMG_PRICING_FILE: file },
    })) as [TestGateway];
    cost = costOfCall(t, MAX_TOKENS);
  });
  afterAll(async () => {
    await closeReplicas(t ? [t] : []);
    await fake?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  it("refuses a model without a price under any budget, and books it at $0 under none", async () => {
    const unbudgeted = await userWithCredential(t, fake);
    expect((await free(unbudgeted.key)).status).toBe(200);

    const budgeted = await userWithCredential(t, fake, { monthly_budget_usd: "10" });
    const refused = await free(budgeted.key);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: "model_unpriced", details: { scope: "user" } });
    expect(refused.body.message).toContain("openai/free-model");

    const keyed = await keyFor(unbudgeted.user.id, { budget_usd: "5" });
    expect((await free(keyed.key)).body).toMatchObject({
      error: "model_unpriced",
      details: { scope: "key" },
    });

    const team = await admin("/admin/teams", { name: unique("team"), monthly_budget_usd: "5" });
    await admin(`/admin/teams/${team.body.data.id}/members`, { user_id: unbudgeted.user.id, role: "member" });
    const teamKey = await keyFor(unbudgeted.user.id, { team_id: team.body.data.id });
    expect((await free(teamKey.key)).body).toMatchObject({
      error: "model_unpriced",
      details: { scope: "team" },
    });
    // Nothing refused reached the provider or left a row claiming success.
    const rows = await t.database.db
      .selectFrom("requests")
      .select(["status", "error_code"])
      .where("model", "=", "free-model")
      .execute();
    expect(rows.filter((r) => r.status === "success")).toHaveLength(1);
  });

  it("holds a team's requests per minute across its members", async () => {
    const team = await admin("/admin/teams", { name: unique("team"), rpm: 3 });
    expect(team.status).toBe(201);
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { user } = await userWithCredential(t, fake);
      await admin(`/admin/teams/${team.body.data.id}/members`, { user_id: user.id, role: "member" });
      keys.push((await keyFor(user.id, { team_id: team.body.data.id })).key);
    }
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await chat(t, keys[i % 2]!, MAX_TOKENS));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(results[3]!.body.details).toMatchObject({
      limit: "requests per minute of the team",
      limit_value: 3,
    });
    expect(results[2]!.headers.get("x-ratelimit-limit-requests")).toBe("3");
  });

  it("resets a key's daily budget at midnight UTC and keeps the spend when its limit changes", async () => {
    const start = Date.now();
    let offset = 0;
    const limits = useClock(t, () => start + offset);
    try {
      const { user } = await userWithCredential(t, fake);
      const key = await keyFor(user.id, { budget_usd: times(cost, 2), budget_period: "day" });
      expect((await chat(t, key.key, MAX_TOKENS)).status).toBe(200);
      expect((await chat(t, key.key, MAX_TOKENS)).status).toBe(200);
      const third = await chat(t, key.key, MAX_TOKENS);
      expect(third.body).toMatchObject({
        error: "budget_exceeded",
        details: { scope: "key", period: "day" },
      });
      // Raised mid-day: the two calls so far still count, one more fits.
      const patch = await call(`${t.url}/api/keys/${key.id}`, {
        key: key.key,
        method: "PATCH",
        body: { budget_usd: times(cost, 3) },
      });
      expect(patch.status).toBe(200);
      expect((await chat(t, key.key, MAX_TOKENS)).status).toBe(200);
      expect((await chat(t, key.key, MAX_TOKENS)).status).toBe(402);
      // The next UTC day starts from nothing.
      offset = DAY;
      expect((await chat(t, key.key, MAX_TOKENS)).status).toBe(200);
      expect(await limits.reservedForLevel({ scope: "key", id: key.id, userId: user.id })).toBe(0n);
    } finally {
      useClock(t, Date.now);
    }
  });
});
