import { addDecimals } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, FAKE_KEY, startChatFixture } from "./chat-harness";
import { call, createUserWithKey, type TestGateway } from "./harness";
import { rollUp } from "./usage-fixture";

const TOTAL_FIELDS = [
  "requests",
  "successful",
  "failed",
  "success_rate",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "reasoning_tokens",
  "total_tokens",
  "cost_usd",
  "cost_usd_exact",
  "cache_hits",
  "saved_usd",
  "saved_usd_exact",
] as const;

const totalsOf = (row: Record<string, unknown>) => Object.fromEntries(TOTAL_FIELDS.map((k) => [k, row[k]]));

function expectNotFound(res: { status: number; body: any; headers: Headers }) {
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ success: false, error: "not_found", message: expect.any(String) });
  expect(res.body.request_id).toBe(res.headers.get("x-llmg-request-id"));
}

describe.each(testBackends())(
  "admin reads: spend by user, one user, their keys, a team's members on %s",
  (kind) => {
    let f: ChatFixture;
    let t: TestGateway;
    beforeAll(async () => {
      f = await startChatFixture(kind);
      t = f.t;
    });
    afterAll(async () => {
      await f?.close();
    });

    const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
      call(`${t.url}/api${path}`, { key: t.adminKey, ...init });

    async function chat(key: string, prompt: number, completion: number) {
      f.fakes.openai.enqueue({ type: "success", content: "Hi", usage: { prompt, completion } });
      const res = await call(`${t.url}/v1/chat/completions`, {
        key,
        body: { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }

    it("spend by user: each user's line equals their own summary's totals, rolled up or not", async () => {
      const other = await createUserWithKey(t);
      const credential = await call(`${t.url}/api/credentials`, {
        key: other.key,
        body: { provider: "openai", name: "fake", api_key: FAKE_KEY },
      });
      expect(credential.status).toBe(201);
      // Some calls rolled up, some in the tail the rollups have not seen yet.
      await chat(f.user.key, 1200, 300);
      await chat(other.key, 100, 10);
      await rollUp(t.database.db);
      await chat(f.user.key, 2400, 700);
      await chat(other.key, 50, 5);

      const to = new Date(Date.now() + 60_000).toISOString();
      const from = new Date(Date.now() - 86_400_000).toISOString();
      for (const query of ["", `?from=${from}&to=${to}`]) {
        const res = await admin(`/admin/usage/users${query}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const data = res.body.data;
        const own = async (key: string) =>
          (await call(`${t.url}/api/usage/summary${query}`, { key })).body.data.totals;
        const [mine, theirs] = await Promise.all([own(f.user.key), own(other.key)]);
        // The biggest spender first; nobody else spent anything.
        expect(data.users.map((u: any) => u.user_id)).toEqual([f.user.user.id, other.user.id]);
        expect(data.users[0]).toMatchObject({ email: f.user.user.email, ...mine });
        expect(data.users[1]).toMatchObject({ email: other.user.email, ...theirs });
        expect(mine.requests).toBe(2);
        expect(data.totals.cost_usd_exact).toBe(addDecimals(mine.cost_usd_exact, theirs.cost_usd_exact));
        expect(data.totals.total_tokens).toBe(mine.total_tokens + theirs.total_tokens);
        expect(data.users[0].cost_share + data.users[1].cost_share).toBeCloseTo(1, 3);
        expect(data.other).toBeNull();
      }

      // limit 1: the smaller spender goes into "other", summed as it is.
      const limited = (await admin("/admin/usage/users?limit=1")).body.data;
      const theirs = (await call(`${t.url}/api/usage/summary`, { key: other.key })).body.data.totals;
      expect(limited.users.map((u: any) => u.user_id)).toEqual([f.user.user.id]);
      expect(limited.other).toMatchObject({ users: 1, ...totalsOf(theirs) });

      // A window before any call is empty, not an error.
      const empty = (await admin("/admin/usage/users?from=2020-01-01&to=2020-02-01")).body.data;
      expect(empty).toMatchObject({ users: [], other: null });
      expect(empty.totals).toMatchObject({ requests: 0, cost_usd_exact: "0" });
    });

    it("spend by user refuses bad bounds and non-admins", async () => {
      for (const query of ["limit=0", "limit=501", "limit=x", "from=2026-02-01&to=2026-01-01", "from=nope"]) {
        const res = await admin(`/admin/usage/users?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.error).toBe("validation_error");
      }
      expect((await admin("/admin/usage/users?limit=500")).status).toBe(200);
      const asUser = await call(`${t.url}/api/admin/usage/users`, { key: f.user.key });
      expect(asUser.status).toBe(403);
      expect(asUser.body.error).toBe("forbidden");
    });

    it("GET /admin/users/{id} answers the user as the list does; 404 for an unknown one", async () => {
      const { user, key } = await createUserWithKey(t, { name: "Single", monthly_budget_usd: 7 });
      const one = await admin(`/admin/users/${user.id}`);
      expect(one.status).toBe(200);
      const listed = (await admin("/admin/users?per_page=100")).body.data.find((u: any) => u.id === user.id);
      expect(one.body.data).toEqual(listed);
      expect(one.body.data).toMatchObject({ id: user.id, email: user.email, name: "Single" });
      expectNotFound(await admin("/admin/users/usr_nobody"));
      expect((await admin(`/admin/users/${"x".repeat(101)}`)).status).toBe(400);
      expect((await call(`${t.url}/api/admin/users/${user.id}`, { key })).status).toBe(403);
    });

    it("GET /admin/users/{id}/keys lists what the user's own GET /keys lists, never a secret", async () => {
      const { user, key, keyId } = await createUserWithKey(t);
      const extra = await admin(`/admin/users/${user.id}/keys`, {
        body: {
          name: "scoped",
          scopes: ["chat"],
          allowed_models: ["openai/*"],
          expires_at: "2099-01-01T00:00:00Z",
        },
      });
      expect(extra.status).toBe(201);
      const keys = await admin(`/admin/users/${user.id}/keys`);
      expect(keys.status).toBe(200);
      const own = await call(`${t.url}/api/keys`, { key });
      expect(keys.body.data).toEqual(own.body.data);
      expect(keys.body.data.map((k: any) => k.id).sort()).toEqual([keyId, extra.body.data.id].sort());
      expect(keys.body.data.find((k: any) => k.id === extra.body.data.id)).toMatchObject({
        name: "scoped",
        scopes: ["chat"],
        allowed_models: ["openai/*"],
        expires_at: "2099-01-01T00:00:00.000Z",
        prefix: extra.body.data.prefix,
      });
      const text = JSON.stringify(keys.body);
      expect(text).not.toContain(key);
      expect(text).not.toContain(extra.body.data.key);
      expect(text).not.toMatch(/hash/);

      // A revoked key is no longer listed.
      expect(
        (await admin(`/admin/users/${user.id}/keys/${extra.body.data.id}`, { method: "DELETE" })).status,
      ).toBe(200);
      expect((await admin(`/admin/users/${user.id}/keys`)).body.data.map((k: any) => k.id)).toEqual([keyId]);
      expectNotFound(await admin("/admin/users/usr_nobody/keys"));
      expect((await call(`${t.url}/api/admin/users/${user.id}/keys`, { key })).status).toBe(403);
    });

    it("GET /admin/teams/{id}/members lists the members with their roles, as a member sees them", async () => {
      const team = await admin("/admin/teams", { body: { name: `members-${Date.now()}` } });
      expect(team.status).toBe(201);
      const teamId = team.body.data.id;
      const path = `/admin/teams/${teamId}/members`;
      expect((await admin(path)).body.data).toEqual([]);
      const a = await createUserWithKey(t);
      const b = await createUserWithKey(t);
      expect((await admin(path, { body: { user_id: a.user.id, role: "manager" } })).status).toBe(200);
      expect((await admin(path, { body: { user_id: b.user.id } })).status).toBe(200);
      const members = await admin(path);
      expect(members.status).toBe(200);
      expect(members.body.data.map((m: any) => [m.user_id, m.email, m.role])).toEqual([
        [a.user.id, a.user.email, "manager"],
        [b.user.id, b.user.email, "member"],
      ]);
      const seen = await call(`${t.url}/api/teams/${teamId}`, { key: b.key });
      expect(members.body.data).toEqual(seen.body.data.members);

      expect((await admin(`${path}/${b.user.id}`, { method: "DELETE" })).status).toBe(200);
      expect((await admin(path)).body.data.map((m: any) => m.user_id)).toEqual([a.user.id]);
      expectNotFound(await admin("/admin/teams/team_nobody/members"));
      expect((await call(`${t.url}/api${path}`, { key: a.key })).status).toBe(403);
    });
  },
);
