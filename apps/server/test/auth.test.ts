import { hashKey, resolveAdminKey } from "@llmg/api";
import { openTestDatabase, testBackends, testRedisUrl } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const ENVELOPE_KEYS = ["error", "message", "request_id", "success"];

function expectEnvelope(res: { status: number; body: any; headers: Headers }, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.body.success).toBe(false);
  expect(res.body.error).toBe(error);
  expect(typeof res.body.message).toBe("string");
  expect(res.body.request_id).toMatch(/^req_/);
  expect(res.body.request_id).toBe(res.headers.get("x-llmg-request-id"));
  for (const key of Object.keys(res.body))
    expect([...ENVELOPE_KEYS, "details", "retry_after"]).toContain(key);
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack
}

describe.each(testBackends())("auth and admin API on %s", (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("creates a user and a key with the admin key, and the key calls an authenticated endpoint", async () => {
    const created = await call(`${t.url}/api/admin/users`, {
      key: t.adminKey,
      body: { email: "Alice@Example.com", name: "Alice", monthly_budget_usd: 25.5, rate_limit_rpm: 60 },
      headers: { "user-agent": "auth-test/1.0" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      success: true,
      data: { email: "alice@example.com", name: "Alice", monthly_budget_usd: "25.5", rate_limit_rpm: 60 },
    });
    const userId = created.body.data.id as string;

    const key = await call(`${t.url}/api/admin/users/${userId}/keys`, {
      key: t.adminKey,
      body: { name: "ci" },
    });
    expect(key.status).toBe(201);
    expect(key.body.data.key).toMatch(/^llmg_[0-9A-Za-z]{43}$/);
    expect(key.body.data.key.startsWith(key.body.data.prefix)).toBe(true);

    const list = await call(`${t.url}/api/keys`, { key: key.body.data.key });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      id: key.body.data.id,
      name: "ci",
      prefix: key.body.data.prefix,
    });
    expect(list.body.data[0].key).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(key.body.data.key);

    const users = await call(`${t.url}/api/admin/users?per_page=100`, { key: t.adminKey });
    expect(users.body.pagination).toMatchObject({ page: 1, per_page: 100 });
    expect(users.body.data.map((u: { id: string }) => u.id)).toContain(userId);
  });

  it("revokes a key: it answers 401 at once, and every create/delete is in the activity log", async () => {
    const { user, key } = await createUserWithKey(t);
    const second = await call(`${t.url}/api/keys`, {
      key,
      body: { name: "second" },
      headers: { "user-agent": "ua-x" },
    });
    expect(second.status).toBe(201);
    const secondKey = second.body.data.key as string;
    const firstId = (await call(`${t.url}/api/keys`, { key: secondKey })).body.data.find(
      (k: { name: string | null }) => k.name === null,
    ).id;

    const deleted = await call(`${t.url}/api/keys/${firstId}`, { method: "DELETE", key: secondKey });
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({ id: firstId, revoked: true });
    expectEnvelope(await call(`${t.url}/api/keys`, { key }), 401, "unauthorized");
    expect((await call(`${t.url}/api/keys`, { key: secondKey })).status).toBe(200);

    const rows = await t.database.db
      .selectFrom("activity_log")
      .selectAll()
      .where("user_id", "=", user.id)
      .orderBy("id")
      .execute();
    expect(rows.map((r) => r.action)).toEqual([
      "user.create",
      "api_key.create",
      "api_key.create",
      "api_key.delete",
    ]);
    expect(rows[0]?.actor).toBe("admin");
    expect(rows[2]).toMatchObject({ actor: user.id, user_agent: "ua-x", target_type: "api_key" });
    expect(rows[3]).toMatchObject({ actor: user.id, target_id: firstId });
    expect(rows.every((r) => r.ip !== null)).toBe(true);
  });

  it("answers a deleted or foreign key id with 404, not 403", async () => {
    const a = await createUserWithKey(t);
    const b = await createUserWithKey(t);
    expectEnvelope(
      await call(`${t.url}/api/keys/${a.keyId}`, { method: "DELETE", key: b.key }),
      404,
      "not_found",
    );
    expect((await call(`${t.url}/api/keys`, { key: a.key })).status).toBe(200);
    expectEnvelope(
      await call(`${t.url}/api/admin/users/usr_doesnotexist/keys`, { key: t.adminKey, body: {} }),
      404,
      "not_found",
    );
  });

  it("refuses missing, malformed, unknown keys (401) and the wrong kind of key (403)", async () => {
    const { key } = await createUserWithKey(t);
    expectEnvelope(await call(`${t.url}/api/keys`), 401, "unauthorized");
    expectEnvelope(
      await call(`${t.url}/api/keys`, { headers: { authorization: "Basic abc" } }),
      401,
      "unauthorized",
    );
    expectEnvelope(await call(`${t.url}/api/keys`, { key: "sk-not-ours" }), 401, "unauthorized");
    expectEnvelope(await call(`${t.url}/api/keys`, { key: `llmg_${"x".repeat(43)}` }), 401, "unauthorized");
    expectEnvelope(await call(`${t.url}/api/admin/users`, { key }), 403, "forbidden");
    expectEnvelope(await call(`${t.url}/api/keys`, { key: t.adminKey }), 403, "forbidden");
  });

  it("answers bad input with the envelope and the right status", async () => {
    const badJson = await call(`${t.url}/api/admin/users`, { key: t.adminKey, body: '{"email": "a@b.c",' });
    expectEnvelope(badJson, 400, "validation_error");

    const invalid = await call(`${t.url}/api/admin/users`, {
      key: t.adminKey,
      body: { email: "not-an-email", monthly_budget_usd: -3 },
    });
    expectEnvelope(invalid, 400, "validation_error");
    const fields = invalid.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["email", "monthly_budget_usd"]));

    expectEnvelope(
      await call(`${t.url}/api/admin/users?per_page=1000`, { key: t.adminKey }),
      400,
      "validation_error",
    );
    expectEnvelope(await call(`${t.url}/api/nothing/here`, { key: t.adminKey }), 404, "not_found");
    expectEnvelope(await call(`${t.url}/nothing`), 404, "not_found");

    const big = JSON.stringify({ email: "big@example.com", name: "x".repeat(1024 * 1024 + 10) });
    expectEnvelope(
      await call(`${t.url}/api/admin/users`, { key: t.adminKey, body: big }),
      413,
      "payload_too_large",
    );

    const dup = { email: "dup@example.com" };
    expect((await call(`${t.url}/api/admin/users`, { key: t.adminKey, body: dup })).status).toBe(201);
    expectEnvelope(await call(`${t.url}/api/admin/users`, { key: t.adminKey, body: dup }), 409, "conflict");
  });

  it("serves health, readiness and a local docs page", async () => {
    expect((await call(`${t.url}/healthz`)).body.data.status).toBe("ok");
    const ready = await call(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body.data.checks[0]).toMatchObject({ ok: true, name: `database (${kind})` });
    const docs = await fetch(`${t.url}/docs`);
    const html = await docs.text();
    expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
    const bundle = await fetch(`${t.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  });
});

describe.skipIf(!testBackends().includes("postgres"))("key revocation across replicas (postgres)", () => {
  it("stops a key on another replica within the key cache TTL", async () => {
    const a = await startTestGateway("postgres", { env: { LLMG_KEY_CACHE_TTL_MS: "300" } });
    const b = await startTestGateway("postgres", {
      database: a.database,
      env: { LLMG_KEY_CACHE_TTL_MS: "300" },
    });
    try {
      const { key, keyId } = await createUserWithKey(a);
      const spare = await call(`${a.url}/api/keys`, { key, body: {} });
      expect((await call(`${b.url}/api/keys`, { key })).status).toBe(200); // now cached on b
      expect(
        (await call(`${a.url}/api/keys/${keyId}`, { method: "DELETE", key: spare.body.data.key })).status,
      ).toBe(200);
      expect((await call(`${a.url}/api/keys`, { key })).status).toBe(401); // at once where it was deleted
      await new Promise((r) => setTimeout(r, 350));
      expect((await call(`${b.url}/api/keys`, { key })).status).toBe(401); // within the TTL elsewhere
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe.each(testBackends())("generated admin key on %s", (kind) => {
  it("is generated once, stored only as a hash, and agreed on by replicas starting together", async () => {
    const database = await openTestDatabase(kind);
    try {
      const starts = await Promise.all([
        resolveAdminKey(database.db, undefined),
        resolveAdminKey(database.db, undefined),
      ]);
      expect(starts[0].hash).toBe(starts[1].hash);
      const shown = starts.flatMap((s) => (s.generatedKey ? [s.generatedKey] : []));
      expect(shown).toHaveLength(1);
      expect(hashKey(shown[0]!)).toBe(starts[0].hash);
      const stored = await database.db.selectFrom("settings").select("value").execute();
      expect(JSON.stringify(stored)).not.toContain(shown[0]);
      const restart = await resolveAdminKey(database.db, undefined);
      expect(restart).toEqual({ hash: starts[0].hash });
    } finally {
      await database.close();
    }
  });
});

describe.skipIf(!testRedisUrl())("readiness in production mode", () => {
  it("checks Redis as well as the database", async () => {
    const t = await startTestGateway(testBackends()[0]!, { redis: true });
    try {
      const ready = await call(`${t.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(
        ready.body.data.checks.map((c: { name: string; ok: boolean }) => [c.name.split(" ")[0], c.ok]),
      ).toEqual(
        expect.arrayContaining([
          ["database", true],
          ["redis", true],
        ]),
      );
    } finally {
      await t.close();
    }
  });
});
