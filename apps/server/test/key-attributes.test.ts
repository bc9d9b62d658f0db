import { randomBytes } from "node:crypto";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const ALL = ["chat", "read", "manage"];

describe.each(testBackends())("key attributes on %s", (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  const createTeam = async () => {
    const res = await call(`${t.url}/api/admin/teams`, {
      key: t.adminKey,
      body: { name: `t-${randomBytes(4).toString("hex")}` },
    });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  };
  const join = async (teamId: string, userId: string) => {
    const res = await call(`${t.url}/api/admin/teams/${teamId}/members`, {
      key: t.adminKey,
      body: { user_id: userId },
    });
    expect(res.status).toBe(200);
  };
  const listKeys = async (key: string) => (await call(`${t.url}/api/keys`, { key })).body.data as any[];

  it("a new key has every scope, no team, every model and no expiry unless told otherwise", async () => {
    const { key, keyId } = await createUserWithKey(t);
    const [listed] = await listKeys(key);
    expect(listed).toMatchObject({
      id: keyId,
      team_id: null,
      scopes: ALL,
      allowed_models: null,
      expires_at: null,
    });
    const created = await call(`${t.url}/api/keys`, { key, body: { name: "ci" } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: "ci",
      scopes: ALL,
      allowed_models: null,
      expires_at: null,
    });
  });

  it("POST /api/keys and the admin's route take team, scopes, allowed models and expiry, and answers show them", async () => {
    const { user, key } = await createUserWithKey(t);
    const teamId = await createTeam();
    await join(teamId, user.id);
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const body = {
      name: "service",
      team_id: teamId,
      scopes: ["read", "chat", "chat"],
      allowed_models: ["openai/gpt-4o-mini", "anthropic/*", "openai/gpt-4o-mini"],
      expires_at: expires,
    };
    const own = await call(`${t.url}/api/keys`, { key, body });
    expect(own.status).toBe(201);
    expect(own.body.data).toMatchObject({
      team_id: teamId,
      scopes: ["chat", "read"],
      allowed_models: ["openai/gpt-4o-mini", "anthropic/*"],
      expires_at: expires,
    });
    expect(own.body.data.key).toMatch(/^llmg_/);
    const byAdmin = await call(`${t.url}/api/admin/users/${user.id}/keys`, { key: t.adminKey, body });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.data).toMatchObject({ team_id: teamId, scopes: ["chat", "read"] });
    const listed = await listKeys(key);
    expect(listed.find((k) => k.id === own.body.data.id)).toMatchObject({
      team_id: teamId,
      expires_at: expires,
    });
    const [entry] = await t.database.db
      .selectFrom("activity_log")
      .select("details")
      .where("target_id", "=", own.body.data.id)
      .where("action", "=", "api_key.create")
      .execute();
    expect(entry!.details).toMatchObject({ team_id: teamId, scopes: ["chat", "read"] });
  });

  it("refuses a team the user is not in, and bad attributes, with 400 naming the field", async () => {
    const { user, key } = await createUserWithKey(t);
    const teamId = await createTeam();
    const cases: [unknown, string][] = [
      [{ team_id: teamId }, "team_id"],
      [{ team_id: "team_nope" }, "team_id"],
      [{ team_id: "a\u0000" }, "team_id"],
      [{ scopes: [] }, "scopes"],
      [{ scopes: ["admin"] }, "scopes"],
      [{ allowed_models: [] }, "allowed_models"],
      [{ allowed_models: ["gpt-4o"] }, "allowed_models"],
      [{ allowed_models: ["nope/gpt-4o"] }, "allowed_models"],
      [{ allowed_models: ["openai/gpt-*"] }, "allowed_models"],
      [{ allowed_models: ["openai/"] }, "allowed_models"],
      [{ allowed_models: Array.from({ length: 101 }, (_, i) => `openai/m${i}`) }, "allowed_models"],
      [{ allowed_models: [`openai/${"m".repeat(300)}`] }, "allowed_models"],
      [{ expires_at: "tomorrow" }, "expires_at"],
      [{ expires_at: "2020-01-01T00:00:00Z" }, "expires_at"],
    ];
    for (const [body, field] of cases) {
      for (const [url, k] of [
        [`${t.url}/api/keys`, key],
        [`${t.url}/api/admin/users/${user.id}/keys`, t.adminKey],
      ] as const) {
        const res = await call(url, { key: k, body });
        expect([field, res.status, res.body.error]).toEqual([field, 400, "validation_error"]);
        expect(JSON.stringify(res.body.details)).toContain(field);
      }
    }
    expect(await listKeys(key)).toHaveLength(1);
  });

  it("PATCH /api/keys/{id} changes and clears the attributes of one's own keys only", async () => {
    const { user, key } = await createUserWithKey(t);
    const other = await createUserWithKey(t);
    const teamId = await createTeam();
    await join(teamId, user.id);
    const made = await call(`${t.url}/api/keys`, { key, body: { name: "x" } });
    const id = made.body.data.id as string;
    const patch = (body: unknown, k = key, keyId = id) =>
      call(`${t.url}/api/keys/${keyId}`, { key: k, method: "PATCH", body });

    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const res = await patch({
      name: "renamed",
      team_id: teamId,
      scopes: ["read"],
      allowed_models: ["google/*"],
      expires_at: expires,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(
      expect.objectContaining({
        id,
        name: "renamed",
        team_id: teamId,
        scopes: ["read"],
        allowed_models: ["google/*"],
        expires_at: expires,
      }),
    );
    expect(res.body.data.key).toBeUndefined();
    const cleared = await patch({ team_id: null, allowed_models: null, expires_at: null });
    expect(cleared.body.data).toMatchObject({
      name: "renamed",
      team_id: null,
      scopes: ["read"],
      allowed_models: null,
      expires_at: null,
    });
    expect((await patch({})).status).toBe(400);
    expect((await patch({ scopes: ["nope"] })).status).toBe(400);
    expect((await patch({ team_id: await createTeam() })).body.details).toEqual([
      expect.objectContaining({ field: "team_id" }),
    ]);
    // Someone else's key, or an unknown one: 404 either way.
    expect((await patch({ name: "mine" }, other.key)).status).toBe(404);
    expect((await patch({ name: "mine" }, key, "key_nope")).status).toBe(404);
    const revoked = await call(`${t.url}/api/keys/${id}`, { key, method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect((await patch({ name: "gone" })).status).toBe(404);
  });

  it("removing a member detaches their keys from the team; the keys keep working for the user", async () => {
    const { user, key } = await createUserWithKey(t);
    const teamId = await createTeam();
    const otherTeam = await createTeam();
    await join(teamId, user.id);
    await join(otherTeam, user.id);
    const teamKey = await call(`${t.url}/api/keys`, { key, body: { team_id: teamId } });
    const otherKey = await call(`${t.url}/api/keys`, { key, body: { team_id: otherTeam } });
    // The key is used (and cached) before the removal: the removal must reach the cache.
    expect((await call(`${t.url}/api/keys`, { key: teamKey.body.data.key })).status).toBe(200);

    const removed = await call(`${t.url}/api/admin/teams/${teamId}/members/${user.id}`, {
      key: t.adminKey,
      method: "DELETE",
    });
    expect(removed.body.data.keys_detached).toBe(1);
    const after = await listKeys(teamKey.body.data.key);
    expect(after.find((k) => k.id === teamKey.body.data.id)?.team_id).toBeNull();
    expect(after.find((k) => k.id === otherKey.body.data.id)?.team_id).toBe(otherTeam);
    // Joining the team again does not bring the old keys back: a key is attached on purpose.
    await join(teamId, user.id);
    expect((await listKeys(key)).find((k) => k.id === teamKey.body.data.id)?.team_id).toBeNull();
  });
});
