import { execFileSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { testBackends } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const SECRET = "sk-proj-SuperSecretValue-1234567890-abcd";

describe.each(testBackends())("provider credentials on %s", (kind) => {
  let t: TestGateway;
  let fake: FakeProvider;
  let user: Awaited<ReturnType<typeof createUserWithKey>>;
  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: SECRET });
    // The "backup" credential's base_url is a closed local port: allowed here on purpose.
    t = await startTestGateway(kind, {
      env: { LLMG_OPENAI_BASE_URL: fake.url, LLMG_EGRESS_ALLOW: "127.0.0.1:1" },
    });
    user = await createUserWithKey(t);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it("stores a key encrypted, shows only a hint, and never returns it", async () => {
    const created = await call(`${t.url}/api/credentials`, {
      key: user.key,
      body: { provider: "openai", name: "main", api_key: SECRET },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      provider: "openai",
      name: "main",
      hint: "sk-...abcd",
      is_default: true,
      last_test: null,
    });
    const id = created.body.data.id as string;

    const second = await call(`${t.url}/api/credentials`, {
      key: user.key,
      body: {
        provider: "openai",
        name: "backup",
        api_key: "sk-other-key-0000",
        base_url: "http://127.0.0.1:1/v1",
      },
    });
    expect(second.body.data.is_default).toBe(false);

    const list = await call(`${t.url}/api/credentials`, { key: user.key });
    expect(list.body.data.map((c: { name: string }) => c.name).sort()).toEqual(["backup", "main"]);
    expect(JSON.stringify(list.body)).not.toContain("SuperSecret");
    expect((await call(`${t.url}/api/credentials/${id}`, { key: user.key })).body.data.id).toBe(id);

    const row = await t.database.db
      .selectFrom("provider_credentials")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.encrypted_secret).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain("SuperSecret");
  });

  it("keeps no secret in clear in a dump of the database", async () => {
    let dump: string;
    if (t.database.url) {
      dump = execFileSync("pg_dump", ["--no-owner", t.database.url], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      });
    } else {
      const blob = await t.database.dump!();
      dump = gunzipSync(Buffer.from(await blob.arrayBuffer())).toString("latin1");
    }
    expect(dump).toContain("provider_credentials");
    expect(dump).toContain("sk-...abcd"); // the hint is there, so the dump really holds the rows
    expect(dump).not.toContain("SuperSecret");
  });

  it("tests a credential against the provider and keeps the result, for good and bad keys", async () => {
    const list = await call(`${t.url}/api/credentials`, { key: user.key });
    const main = list.body.data.find((c: { name: string }) => c.name === "main");
    const good = await call(`${t.url}/api/credentials/${main.id}/test`, { key: user.key, body: {} });
    expect(good.status).toBe(200);
    expect(good.body.data).toMatchObject({ ok: true, status: 200 });
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models" });
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`);

    const bad = await call(`${t.url}/api/credentials`, {
      key: user.key,
      body: { provider: "openai", name: "wrong", api_key: "sk-wrong-key-9999" },
    });
    const failed = await call(`${t.url}/api/credentials/${bad.body.data.id}/test`, {
      key: user.key,
      body: {},
    });
    expect(failed.status).toBe(200);
    expect(failed.body.data).toMatchObject({ ok: false, status: 401 });
    expect(JSON.stringify(failed.body)).not.toContain("sk-wrong-key-9999");

    const stored = await call(`${t.url}/api/credentials/${main.id}`, { key: user.key });
    expect(stored.body.data.last_test).toMatchObject({ ok: true, status: 200, error: null });
  });

  it("updates, switches the default, deletes, and logs every change", async () => {
    const list = (await call(`${t.url}/api/credentials`, { key: user.key })).body.data;
    const backup = list.find((c: { name: string }) => c.name === "backup");
    const updated = await call(`${t.url}/api/credentials/${backup.id}`, {
      method: "PUT",
      key: user.key,
      body: { is_default: true, name: "backup-2", api_key: "sk-rotated-key-5678" },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ name: "backup-2", is_default: true, hint: "sk-...5678" });
    const defaults = (await call(`${t.url}/api/credentials`, { key: user.key })).body.data.filter(
      (c: { is_default: boolean }) => c.is_default,
    );
    expect(defaults.map((c: { id: string }) => c.id)).toEqual([backup.id]);

    const deleted = await call(`${t.url}/api/credentials/${backup.id}`, { method: "DELETE", key: user.key });
    expect(deleted.body.data).toEqual({ id: backup.id, deleted: true });
    expect((await call(`${t.url}/api/credentials/${backup.id}`, { key: user.key })).status).toBe(404);

    const actions = await t.database.db
      .selectFrom("activity_log")
      .select(["action", "target_id"])
      .where("user_id", "=", user.user.id)
      .where("action", "like", "credential.%")
      .execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "credential.create",
        "credential.test",
        "credential.update",
        "credential.delete",
      ]),
    );
    expect(JSON.stringify(actions)).not.toContain("sk-rotated");
  });

  it("hides other users' credentials (404) and validates input", async () => {
    const mine = (await call(`${t.url}/api/credentials`, { key: user.key })).body.data[0];
    const other = await createUserWithKey(t);
    for (const [method, suffix] of [
      ["GET", ""],
      ["PUT", ""],
      ["DELETE", ""],
      ["POST", "/test"],
    ] as const) {
      const res = await call(`${t.url}/api/credentials/${mine.id}${suffix}`, {
        method,
        key: other.key,
        ...(method === "PUT" || method === "POST" ? { body: { name: "stolen" } } : {}),
      });
      expect(res.status).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
    const bad = await call(`${t.url}/api/credentials`, {
      key: user.key,
      body: { provider: "acme", name: "", api_key: "x", base_url: "ftp://nope" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(["provider", "name", "api_key", "base_url"]),
    );
    const dup = await call(`${t.url}/api/credentials`, {
      key: user.key,
      body: { provider: "openai", name: mine.name, api_key: "sk-dup-key-1111" },
    });
    expect(dup.status).toBe(409);
  });
});
