import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";
import { generate, rawTotals } from "./usage-fixture";

describe.each(testBackends())("account endpoints over HTTP on %s", (kind) => {
  let t: TestGateway;
  let user: Awaited<ReturnType<typeof createUserWithKey>>;
  const ua = { "user-agent": "account-test/1.0" };
  beforeAll(async () => {
    t = await startTestGateway(kind);
    user = await createUserWithKey(t, {
      name: "Grace",
      monthly_budget_usd: "12.5",
      rate_limit_rpm: 60,
      rate_limit_tpm: 100000,
    });
    const extra = await call(`${t.url}/api/keys`, { key: user.key, body: { name: "ci" }, headers: ua });
    const gone = await call(`${t.url}/api/keys`, { key: user.key, body: { name: "temp" }, headers: ua });
    await call(`${t.url}/api/keys/${gone.body.data.id}`, { key: user.key, method: "DELETE", headers: ua });
    expect(extra.status).toBe(201);
    const cred = await call(`${t.url}/api/credentials`, {
      key: user.key,
      body: { provider: "openai", name: "main", api_key: "sk-test-0123456789abcdef" },
      headers: ua,
    });
    expect(cred.status).toBe(201);
    const db = t.gateway.services.db;
    const now = Date.now();
    const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
    await generate(db, {
      userId: user.user.id,
      count: 40,
      from: new Date(Math.max(monthStart, now - 3_600_000)),
      to: new Date(now),
      seed: 31,
    });
    await generate(db, {
      userId: user.user.id,
      count: 40,
      from: new Date(monthStart - 5 * 86_400_000),
      to: new Date(monthStart),
      seed: 32,
      idPrefix: "last",
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("describes the account: limits, counts and this month's exact spend", async () => {
    const res = await call(`${t.url}/api/account`, { key: user.key });
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data).toMatchObject({
      id: user.user.id,
      email: user.user.email,
      name: "Grace",
      created_at: user.user.created_at,
      limits: {
        monthly_budget_usd: 12.5,
        monthly_budget_usd_exact: "12.5",
        rate_limit_rpm: 60,
        rate_limit_tpm: 100000,
      },
      keys_count: 2,
      credentials_count: 1,
    });
    const monthStart = new Date(data.this_month.from);
    expect(monthStart.getUTCDate()).toBe(1);
    expect(data.this_month.period).toBe(data.this_month.from.slice(0, 7));
    const raw = await rawTotals(t.gateway.services.db, user.user.id, monthStart, new Date(Date.now() + 1000));
    expect(data.this_month).toMatchObject({
      requests: 40,
      cost_usd_exact: raw.cost,
      cost_usd: Number(raw.cost),
    });
  });

  it("lists the activity log newest first, filtered by action, with actor, ip and user agent", async () => {
    const res = await call(`${t.url}/api/account/activity`, { key: user.key });
    expect(res.status).toBe(200);
    const actions = res.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual([
      "credential.create",
      "api_key.delete",
      "api_key.create",
      "api_key.create",
      "api_key.create",
      "user.create",
    ]);
    const times = res.body.data.map((e: { created_at: string }) => Date.parse(e.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(res.body.pagination).toMatchObject({ page: 1, per_page: 20, total: 6, total_pages: 1 });
    const mine = res.body.data[0];
    expect(mine).toMatchObject({
      actor: user.user.id,
      user_agent: "account-test/1.0",
      target_type: "credential",
    });
    expect(mine.ip).toMatch(/127\.0\.0\.1/);
    expect(res.body.data[5]).toMatchObject({ action: "user.create", actor: "admin" });

    const keys = await call(`${t.url}/api/account/activity?action=api_key.create&per_page=2&page=2`, {
      key: user.key,
    });
    expect(keys.body.data).toHaveLength(1);
    expect(keys.body.pagination).toMatchObject({ page: 2, per_page: 2, total: 3, total_pages: 2 });
    const none = await call(`${t.url}/api/account/activity?action=nothing.ever`, { key: user.key });
    expect(none.body).toMatchObject({ data: [], pagination: { total: 0 } });
  });

  it("refuses bad input, other principals and missing keys", async () => {
    const bad = await call(`${t.url}/api/account/activity?per_page=1000`, { key: user.key });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe("per_page");
    expect((await call(`${t.url}/api/account`, { key: t.adminKey })).status).toBe(403);
    expect((await call(`${t.url}/api/account`)).status).toBe(401);
    const other = await createUserWithKey(t);
    const theirs = await call(`${t.url}/api/account/activity`, { key: other.key });
    expect(theirs.body.data.map((e: { action: string }) => e.action)).toEqual([
      "api_key.create",
      "user.create",
    ]);
  });
});
