import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, FAKE_KEY, startChatFixture } from "./chat-harness";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const CHAT = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], max_tokens: 8 };
const API_CHAT = {
  provider: "openai",
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Hi" }],
  max_tokens: 8,
};

async function activity(t: TestGateway, userId: string, action: string) {
  return t.database.db
    .selectFrom("activity_log")
    .selectAll()
    .where("user_id", "=", userId)
    .where("action", "=", action)
    .orderBy("id", "asc")
    .execute();
}

describe.each(testBackends())("admin: change a user, revoke a user's key on %s", (kind) => {
  let f: ChatFixture;
  let t: TestGateway;
  beforeAll(async () => {
    f = await startChatFixture(kind);
    t = f.t;
  });
  afterAll(async () => {
    await f?.close();
  });

  const patch = (userId: string, body: unknown, key = t.adminKey) =>
    call(`${t.url}/api/admin/users/${userId}`, { method: "PATCH", key, body });

  it("PATCH sets disabled, the cap and the limits, answers the user, and logs each change", async () => {
    const { user } = await createUserWithKey(t, { monthly_budget_usd: 5 });
    const res = await patch(user.id, {
      name: "Renamed",
      budget_cap_usd: "20",
      monthly_budget_usd: 10,
      rate_limit_rpm: 100,
      rate_limit_tpm: 5000,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: user.id,
      name: "Renamed",
      disabled: false,
      budget_cap_usd: "20",
      monthly_budget_usd: "10",
      rate_limit_rpm: 100,
      rate_limit_tpm: 5000,
    });
    const listed = await call(`${t.url}/api/admin/users?per_page=100`, { key: t.adminKey });
    expect(listed.body.data.find((u: { id: string }) => u.id === user.id)).toMatchObject({
      budget_cap_usd: "20",
      disabled: false,
    });
    const [entry] = await activity(t, user.id, "user.update");
    expect(entry).toMatchObject({ actor: "admin", target_type: "user", target_id: user.id });
    expect(entry!.details).toMatchObject({
      budget_cap_usd: { from: null, to: "20" },
      rate_limit_rpm: { from: null, to: 100 },
      name: { to: "Renamed" },
    });
    expect(Number((entry!.details as { monthly_budget_usd: { to: string } }).monthly_budget_usd.to)).toBe(10);
    // The monthly limit went through the same write as PUT /api/budget: its history has it.
    const changes = await t.database.db
      .selectFrom("budget_changes")
      .select("limit_usd")
      .where("user_id", "=", user.id)
      .execute();
    expect(changes.map((c) => Number(c.limit_usd))).toEqual([5, 10]);
  });

  it("refuses bad input: empty patch, unknown user, user key, limit above the cap", async () => {
    const { user, key } = await createUserWithKey(t);
    const empty = await patch(user.id, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe("validation_error");
    // A string is not a boolean: "false" must not read as true (trpc-to-openapi coerces plain
    // z.boolean() inputs, so a coerced "false" would disable the user).
    for (const value of ["false", "yes", 0]) {
      const typo = await patch(user.id, { disabled: value });
      expect(typo.status).toBe(400);
      expect(typo.body.details[0].field).toBe("disabled");
    }
    expect((await call(`${t.url}/api/keys`, { key })).status).toBe(200);
    expect((await patch("usr_nobody", { disabled: true })).status).toBe(404);
    const asUser = await patch(user.id, { disabled: true }, key);
    expect(asUser.status).toBe(403);
    expect(asUser.body.error).toBe("forbidden");
    const above = await patch(user.id, { budget_cap_usd: 5, monthly_budget_usd: 6 });
    expect(above.status).toBe(400);
    expect(above.body.details[0].field).toBe("monthly_budget_usd");
    // Limits and caps stay within what PUT /api/budget accepts (the counters' exact range).
    for (const field of ["budget_cap_usd", "monthly_budget_usd"]) {
      const huge = await patch(user.id, { [field]: "9999999999.9999999999" });
      expect(huge.status).toBe(400);
      expect(huge.body.details[0].field).toBe(field);
    }
    const created = await call(`${t.url}/api/admin/users`, {
      key: t.adminKey,
      body: { email: `huge-${user.id}@example.com`, monthly_budget_usd: 1_000_001 },
    });
    expect(created.status).toBe(400);
    // Nothing of the refused patch was written.
    const users = await call(`${t.url}/api/admin/users?per_page=100`, { key: t.adminKey });
    expect(users.body.data.find((u: { id: string }) => u.id === user.id).budget_cap_usd).toBeNull();
  });

  it("a cap below the current limit (or no limit) lowers the limit to the cap", async () => {
    const { user, key } = await createUserWithKey(t, { monthly_budget_usd: 50 });
    const res = await patch(user.id, { budget_cap_usd: "12.5" });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ budget_cap_usd: "12.5", monthly_budget_usd: "12.5" });
    const budget = await call(`${t.url}/api/budget`, { key });
    expect(budget.body.data.limit_usd_exact).toBe("12.5");
    const [entry] = await activity(t, user.id, "user.update");
    expect(entry!.details).toMatchObject({ monthly_budget_clamped_to_cap: true });

    const unlimited = await createUserWithKey(t);
    const capped = await patch(unlimited.user.id, { budget_cap_usd: 3 });
    expect(capped.body.data.monthly_budget_usd).toBe("3");
    // A cap above the limit leaves the limit alone.
    const loose = await createUserWithKey(t, { monthly_budget_usd: 2 });
    expect((await patch(loose.user.id, { budget_cap_usd: 3 })).body.data.monthly_budget_usd).toBe("2");
  });

  it("PUT /api/budget cannot pass the cap, go unlimited or go soft while a cap is set", async () => {
    const { user, key } = await createUserWithKey(t, { monthly_budget_usd: 5 });
    const put = (body: unknown) => call(`${t.url}/api/budget`, { method: "PUT", key, body });
    expect((await put({ limit_usd: 100 })).status).toBe(200); // no cap yet
    await patch(user.id, { budget_cap_usd: 20 });
    const over = await put({ limit_usd: "20.0000000001" });
    expect(over.status).toBe(403);
    expect(over.body.error).toBe("forbidden");
    expect(over.body.message).toContain("20");
    expect(over.body.details[0].field).toBe("limit_usd");
    const unlimited = await put({ limit_usd: null });
    expect(unlimited.status).toBe(403);
    const soft = await put({ mode: "soft" });
    expect(soft.status).toBe(403);
    expect(soft.body.details[0].field).toBe("mode");
    const within = await put({ limit_usd: 20 });
    expect(within.status).toBe(200);
    expect(within.body.data.limit_usd_exact).toBe("20");
    // Lifting the cap lifts the restriction.
    await patch(user.id, { budget_cap_usd: null });
    expect((await put({ limit_usd: null, mode: "soft" })).status).toBe(200);
  });

  it("a cap keeps a soft budget hard: calls past the limit get 402", async () => {
    const { user, key } = await createUserWithKey(t, { monthly_budget_usd: "0.0000001" });
    await call(`${t.url}/api/credentials`, {
      key,
      body: { provider: "openai", name: "fake", api_key: FAKE_KEY },
    });
    expect((await call(`${t.url}/api/budget`, { method: "PUT", key, body: { mode: "soft" } })).status).toBe(
      200,
    );
    const softCall = await call(`${t.url}/v1/chat/completions`, { key, body: CHAT });
    expect(softCall.status).toBe(200);
    await patch(user.id, { budget_cap_usd: "0.0000001" });
    const capped = await call(`${t.url}/v1/chat/completions`, { key, body: CHAT });
    expect(capped.status).toBe(402);
    expect(capped.body.error.code).toBe("budget_exceeded");
  });

  it("disabling refuses the user's keys with 403 account_disabled on /api, /trpc and /v1 (fast path), at once; enabling restores them", async () => {
    const { user, key } = f.user;
    // Warm every cache first: the change must beat a cached key.
    expect((await call(`${t.url}/v1/chat/completions`, { key, body: CHAT })).status).toBe(200);
    expect((await call(`${t.url}/api/keys`, { key })).status).toBe(200);

    expect((await patch(user.id, { disabled: true })).body.data.disabled).toBe(true);
    const api = await call(`${t.url}/api/keys`, { key });
    expect(api.status).toBe(403);
    expect(api.body).toMatchObject({ success: false, error: "account_disabled" });
    expect(api.body.request_id).toBe(api.headers.get("x-llmg-request-id"));
    const apiChat = await call(`${t.url}/api/chat/completions`, { key, body: API_CHAT });
    expect(apiChat.status).toBe(403);
    expect(apiChat.body.error).toBe("account_disabled");
    const v1 = await call(`${t.url}/v1/chat/completions`, { key, body: CHAT });
    expect(v1.status).toBe(403);
    expect(v1.body.error).toMatchObject({ code: "account_disabled", type: "permission_error" });
    const v1Models = await call(`${t.url}/v1/models`, { key });
    expect(v1Models.status).toBe(403);
    expect(v1Models.body.error.code).toBe("account_disabled");
    const trpc = await call(`${t.url}/trpc/keys.list`, { key });
    expect(trpc.status).toBe(403);
    expect(trpc.body.error.data.error).toBe("account_disabled");
    // No chat call of a disabled user reached a provider or was recorded as one.
    const rows = await t.database.db
      .selectFrom("requests")
      .select("http_status")
      .where("user_id", "=", user.id)
      .where("http_status", "=", 403)
      .execute();
    expect(rows).toHaveLength(0);

    expect((await patch(user.id, { disabled: false })).body.data.disabled).toBe(false);
    expect((await call(`${t.url}/v1/chat/completions`, { key, body: CHAT })).status).toBe(200);
    expect((await call(`${t.url}/api/keys`, { key })).status).toBe(200);
    const log = await activity(t, user.id, "user.update");
    expect(log.map((e) => e.details)).toEqual([
      { disabled: { from: false, to: true } },
      { disabled: { from: true, to: false } },
    ]);
  });

  it("changed rate limits apply to the next call, as a budget change does", async () => {
    const { user, key } = await createUserWithKey(t);
    await call(`${t.url}/api/credentials`, {
      key,
      body: { provider: "openai", name: "fake", api_key: FAKE_KEY },
    });
    // Unlimited, and cached as such on this replica.
    for (let i = 0; i < 3; i++)
      expect((await call(`${t.url}/v1/chat/completions`, { key, body: CHAT })).status).toBe(200);
    await patch(user.id, { rate_limit_rpm: 1 });
    expect((await call(`${t.url}/v1/chat/completions`, { key, body: CHAT })).status).toBe(200);
    const limited = await call(`${t.url}/v1/chat/completions`, { key, body: CHAT });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    await patch(user.id, { rate_limit_rpm: null });
    expect((await call(`${t.url}/v1/chat/completions`, { key, body: CHAT })).status).toBe(200);
  });

  it("DELETE revokes a user's key at once; another user's key or a revoked one is 404", async () => {
    const a = await createUserWithKey(t);
    const b = await createUserWithKey(t);
    expect((await call(`${t.url}/api/keys`, { key: a.key })).status).toBe(200);
    const wrong = await call(`${t.url}/api/admin/users/${a.user.id}/keys/${b.keyId}`, {
      method: "DELETE",
      key: t.adminKey,
    });
    expect(wrong.status).toBe(404);
    expect(wrong.body.error).toBe("not_found");
    expect((await call(`${t.url}/api/keys`, { key: b.key })).status).toBe(200);

    const asUser = await call(`${t.url}/api/admin/users/${a.user.id}/keys/${a.keyId}`, {
      method: "DELETE",
      key: a.key,
    });
    expect(asUser.status).toBe(403);

    const done = await call(`${t.url}/api/admin/users/${a.user.id}/keys/${a.keyId}`, {
      method: "DELETE",
      key: t.adminKey,
    });
    expect(done.status).toBe(200);
    expect(done.body.data).toEqual({ id: a.keyId, revoked: true });
    expect((await call(`${t.url}/api/keys`, { key: a.key })).status).toBe(401);
    expect((await call(`${t.url}/v1/chat/completions`, { key: a.key, body: CHAT })).status).toBe(401);
    const again = await call(`${t.url}/api/admin/users/${a.user.id}/keys/${a.keyId}`, {
      method: "DELETE",
      key: t.adminKey,
    });
    expect(again.status).toBe(404);
    const [entry] = await activity(t, a.user.id, "api_key.delete");
    expect(entry).toMatchObject({ actor: "admin", target_id: a.keyId });
  });
});

describe.each(testBackends().filter((k) => k === "postgres"))("disabling across replicas on %s", (kind) => {
  it("another replica refuses the user within its key cache TTL", async () => {
    const a = await startTestGateway(kind);
    const b = await startTestGateway(kind, { database: a.database, env: { LLMG_KEY_CACHE_TTL_MS: "1000" } });
    try {
      const { user, key } = await createUserWithKey(a);
      expect((await call(`${b.url}/api/keys`, { key })).status).toBe(200);
      await call(`${a.url}/api/admin/users/${user.id}`, {
        method: "PATCH",
        key: a.adminKey,
        body: { disabled: true },
      });
      expect((await call(`${a.url}/api/keys`, { key })).status).toBe(403);
      // B trusted its cached key for at most its TTL; poll well past it.
      let status = 0;
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        status = (await call(`${b.url}/api/keys`, { key })).status;
        if (status === 403) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(403);
    } finally {
      await b.close();
      await a.close();
    }
  }, 30_000);
});
