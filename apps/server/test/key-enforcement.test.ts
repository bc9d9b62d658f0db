import { randomBytes } from "node:crypto";
import { createLlmgClient, llmgErrorCode } from "@llmg/client";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { call } from "./harness";

const V1_CHAT = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], max_tokens: 8 };
const API_CHAT = {
  provider: "openai",
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Hi" }],
  max_tokens: 8,
};

describe.each(testBackends())("what a key carries, enforced on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind);
  });
  afterAll(async () => {
    await f?.close();
  });

  /** A new key of the fixture's user (who has a credential for every provider). */
  const newKey = async (body: Record<string, unknown>) => {
    const res = await call(`${f.t.url}/api/keys`, { key: f.user.key, body });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; key: string };
  };
  const v1 = (key: string, body: unknown = V1_CHAT) => call(`${f.t.url}/v1/chat/completions`, { key, body });
  const api = (key: string, body: unknown = API_CHAT) =>
    call(`${f.t.url}/api/chat/completions`, { key, body });
  const rowsOf = async (keyId: string) =>
    (await f.t.database.db.selectFrom("requests").select("id").where("api_key_id", "=", keyId).execute())
      .length;
  const providerCalls = () => Object.values(f.fakes).reduce((n, p) => n + p.requestCount, 0);

  it("an expired key is refused with 401 key_expired on every surface, without the key in the answer", async () => {
    const made = await newKey({ expires_at: new Date(Date.now() + 1_500).toISOString() });
    // Used (and cached) while valid: the cache must not stretch its life.
    expect((await v1(made.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_700));
    const onV1 = await v1(made.key);
    expect(onV1.status).toBe(401);
    expect(onV1.body.error).toMatchObject({ code: "key_expired", type: "authentication_error" });
    const onApi = await call(`${f.t.url}/api/keys`, { key: made.key });
    expect([onApi.status, onApi.body.error]).toEqual([401, "key_expired"]);
    expect(JSON.stringify([onV1.body, onApi.body])).not.toContain(made.key.slice(0, 12));
    // A known key past its date is not a guess: it never trips the bad-key throttle (20 a minute).
    for (let i = 0; i < 22; i++) expect((await api(made.key)).body.error).toBe("key_expired");
    // Given a new expiry by another key, it works again at once on this replica.
    const renewed = await call(`${f.t.url}/api/keys/${made.id}`, {
      key: f.user.key,
      method: "PATCH",
      body: { expires_at: null },
    });
    expect(renewed.status).toBe(200);
    expect((await v1(made.key)).status).toBe(200);
  });

  it("a read key reads but neither calls models nor changes anything", async () => {
    const { key, id } = await newKey({ scopes: ["read"] });
    const before = providerCalls();
    expect((await call(`${f.t.url}/api/keys`, { key })).status).toBe(200);
    expect((await call(`${f.t.url}/api/usage/summary`, { key })).status).toBe(200);
    expect((await call(`${f.t.url}/v1/models`, { key })).status).toBe(200);
    const refused = [
      await v1(key),
      await api(key),
      await api(key, { ...API_CHAT, stream: true }),
      await call(`${f.t.url}/api/keys`, { key, body: {} }),
      await call(`${f.t.url}/api/keys/${id}`, { key, method: "PATCH", body: { scopes: ["read", "manage"] } }),
      await call(`${f.t.url}/api/budget`, { key, method: "PUT", body: { limit_usd: 5 } }),
      await call(`${f.t.url}/api/credentials`, {
        key,
        body: { provider: "openai", name: "x", api_key: "sk-x" },
      }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    expect(refused[0]!.body.error).toMatchObject({ code: "insufficient_scope", type: "permission_error" });
    for (const r of refused.slice(1)) expect(r.body.error).toBe("insufficient_scope");
    expect(refused[1]!.body.details).toMatchObject({ required_scope: "chat" });
    expect(refused[3]!.body.details).toMatchObject({ required_scope: "manage" });
    expect(providerCalls()).toBe(before);
    expect(await rowsOf(id)).toBe(0);
    // The tRPC surface goes through the same check.
    const client = createLlmgClient({ baseUrl: f.t.url, apiKey: key });
    expect((await client.keys.list.query({})).success).toBe(true);
    expect(llmgErrorCode(await client.keys.create.mutate({}).catch((e: unknown) => e))).toBe(
      "insufficient_scope",
    );
  });

  it("a chat key calls models but cannot read or manage; manage alone changes but does not read", async () => {
    const chat = await newKey({ scopes: ["chat"] });
    expect((await v1(chat.key)).status).toBe(200);
    expect((await api(chat.key)).status).toBe(200);
    for (const res of [
      await call(`${f.t.url}/v1/models`, { key: chat.key }),
      await call(`${f.t.url}/api/usage/summary`, { key: chat.key }),
      await call(`${f.t.url}/api/keys`, { key: chat.key }),
      await call(`${f.t.url}/api/budget`, { key: chat.key }),
      await call(`${f.t.url}/api/keys`, { key: chat.key, body: { scopes: ["chat", "read", "manage"] } }),
    ]) {
      expect([res.status, res.body.error?.code ?? res.body.error]).toEqual([403, "insufficient_scope"]);
    }
    const manage = await newKey({ scopes: ["manage"] });
    expect((await call(`${f.t.url}/api/keys`, { key: manage.key, body: { name: "by-manage" } })).status).toBe(
      201,
    );
    expect(
      (await call(`${f.t.url}/api/budget`, { key: manage.key, method: "PUT", body: { thresholds: [90] } }))
        .status,
    ).toBe(200);
    expect((await call(`${f.t.url}/api/keys`, { key: manage.key })).status).toBe(403);
    expect((await v1(manage.key)).status).toBe(403);
  });

  it("a model outside the allowlist is 403 model_not_allowed before any reservation or provider call", async () => {
    await call(`${f.t.url}/api/budget`, { key: f.user.key, method: "PUT", body: { limit_usd: 100 } });
    const exact = await newKey({ allowed_models: ["openai/gpt-4o-mini"] });
    const anthropicModel = f.t.gateway.services.catalog.models("anthropic")[0]!.id;
    const otherOpenAi = f.t.gateway.services.catalog.models("openai").find((m) => m.id !== "gpt-4o-mini")!.id;
    expect((await v1(exact.key)).status).toBe(200);
    expect((await api(exact.key)).status).toBe(200);
    const rowsBefore = await rowsOf(exact.id);
    const callsBefore = providerCalls();
    const refused = [
      await v1(exact.key, { ...V1_CHAT, model: `openai/${otherOpenAi}` }),
      await v1(exact.key, { ...V1_CHAT, model: `anthropic/${anthropicModel}`, stream: true }),
      await api(exact.key, { ...API_CHAT, model: otherOpenAi }),
      await api(exact.key, { ...API_CHAT, provider: "anthropic", model: anthropicModel, stream: true }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(refused[0]!.body.error).toMatchObject({ code: "model_not_allowed", param: "model" });
    expect(refused[2]!.body).toMatchObject({ error: "model_not_allowed", details: [{ field: "model" }] });
    expect(refused[3]!.body.error).toBe("model_not_allowed");
    expect(providerCalls()).toBe(callsBefore);
    expect(await rowsOf(exact.id)).toBe(rowsBefore);
    const budget = await call(`${f.t.url}/api/budget`, { key: f.user.key });
    expect(budget.body.data.reserved_usd_exact).toBe("0");

    const wildcard = await newKey({ allowed_models: ["anthropic/*"] });
    expect((await v1(wildcard.key, { ...V1_CHAT, model: `anthropic/${anthropicModel}` })).status).toBe(200);
    expect((await v1(wildcard.key)).body.error.code).toBe("model_not_allowed");
    // /v1/models shows such a key only what it may call.
    const listed = await call(`${f.t.url}/v1/models`, { key: wildcard.key });
    const ids = listed.body.data.map((m: { id: string }) => m.id) as string[];
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith("anthropic/"))).toBe(true);
    const all = await call(`${f.t.url}/v1/models`, { key: f.user.key });
    expect(all.body.data.length).toBeGreaterThan(ids.length);

    // Lifting the allowlist applies at once on this replica.
    await call(`${f.t.url}/api/keys/${exact.id}`, {
      key: f.user.key,
      method: "PATCH",
      body: { allowed_models: null },
    });
    expect((await v1(exact.key, { ...V1_CHAT, model: `openai/${otherOpenAi}` })).status).toBe(200);
  });

  it("the cached principal carries the key's team until the member is removed", async () => {
    const team = await call(`${f.t.url}/api/admin/teams`, {
      key: f.t.adminKey,
      body: { name: `t-${randomBytes(4).toString("hex")}` },
    });
    const teamId = team.body.data.id as string;
    await call(`${f.t.url}/api/admin/teams/${teamId}/members`, {
      key: f.t.adminKey,
      body: { user_id: f.user.user.id },
    });
    const made = await newKey({ team_id: teamId });
    const auth = f.t.gateway.services.auth;
    expect(await auth.authenticate(`Bearer ${made.key}`)).toMatchObject({
      teamId,
      scopes: ["chat", "read", "manage"],
    });
    await call(`${f.t.url}/api/admin/teams/${teamId}/members/${f.user.user.id}`, {
      key: f.t.adminKey,
      method: "DELETE",
    });
    expect(await auth.authenticate(`Bearer ${made.key}`)).toMatchObject({ teamId: null });
    expect((await v1(made.key)).status).toBe(200);
  });
});
