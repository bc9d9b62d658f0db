import { addDecimals, subtractDecimals } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { call, createUserWithKey } from "./harness";

const MESSAGES = [{ role: "user", content: "Hello" }];

describe.each(testBackends())("key budgets, rate limits and max_parallel on %s", (kind) => {
  let f: ChatFixture;
  // A long key cache: a change that did not make this replica forget the key would go unseen.
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_KEY_CACHE_TTL_MS: "60000", LLMG_PROVIDER_MAX_RETRIES: "0" });
  });
  afterAll(async () => {
    await f?.close();
  });

  const url = (path: string) => `${f.t.url}${path}`;
  const storedRow = async (id: string) => {
    const { rows } = await sql<{
      budget_usd: string | null;
      budget_period: string | null;
      rate_limit_rpm: number | null;
      rate_limit_tpm: number | null;
      max_parallel: number | null;
    }>`select budget_usd::text as budget_usd, budget_period, rate_limit_rpm, rate_limit_tpm, max_parallel
       from api_keys where id = ${id}`.execute(f.t.gateway.services.db);
    return rows[0];
  };

  it("POST /api/keys and the admin's route take the fields; create, list, get and the row agree", async () => {
    const { user, key } = await createUserWithKey(f.t);
    const body = { budget_usd: "12.3400000001", budget_period: "day", rpm: 60, tpm: 5000, max_parallel: 3 };
    const shown = {
      budget_usd: "12.3400000001",
      budget_period: "day",
      rpm: 60,
      tpm: 5000,
      max_parallel: 3,
    };
    const own = await call(url("/api/keys"), { key, body });
    expect(own.status).toBe(201);
    expect(own.body.data).toMatchObject(shown);
    const byAdmin = await call(url(`/api/admin/users/${user.id}/keys`), { key: f.t.adminKey, body });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.data).toMatchObject(shown);
    for (const id of [own.body.data.id, byAdmin.body.data.id]) {
      expect(await storedRow(id)).toEqual({
        budget_usd: "12.3400000001",
        budget_period: "day",
        rate_limit_rpm: 60,
        rate_limit_tpm: 5000,
        max_parallel: 3,
      });
      const got = await call(url(`/api/keys/${id}`), { key });
      expect(got.status).toBe(200);
      expect(got.body.data).toMatchObject({ id, ...shown });
    }
    const listed = (await call(url("/api/keys"), { key })).body.data as any[];
    expect(listed.find((k) => k.id === own.body.data.id)).toMatchObject(shown);
    const [entry] = await f.t.database.db
      .selectFrom("activity_log")
      .select("details")
      .where("target_id", "=", own.body.data.id)
      .where("action", "=", "api_key.create")
      .execute();
    expect(entry!.details).toMatchObject(body);
  });

  it("a budget without a period is monthly; a key without a budget shows nulls; a number is taken exactly", async () => {
    const { key, keyId } = await createUserWithKey(f.t);
    expect((await call(url(`/api/keys/${keyId}`), { key })).body.data).toMatchObject({
      budget_usd: null,
      budget_period: null,
      rpm: null,
      tpm: null,
      max_parallel: null,
    });
    const made = await call(url("/api/keys"), { key, body: { budget_usd: 0.1 } });
    expect(made.status).toBe(201);
    expect(made.body.data).toMatchObject({ budget_usd: "0.1", budget_period: "month" });
    expect(await storedRow(made.body.data.id)).toMatchObject({ budget_usd: "0.1", budget_period: "month" });
    const zero = await call(url("/api/keys"), { key, body: { budget_usd: "0", budget_period: "total" } });
    expect(zero.body.data).toMatchObject({ budget_usd: "0", budget_period: "total" });
  });

  it("refuses bad values with 400 naming the field, on both routes, and creates nothing", async () => {
    const { user, key } = await createUserWithKey(f.t);
    const cases: [unknown, string][] = [
      [{ budget_usd: -1 }, "budget_usd"],
      [{ budget_usd: "-0.5" }, "budget_usd"],
      [{ budget_usd: "abc" }, "budget_usd"],
      [{ budget_usd: "1e3" }, "budget_usd"],
      [{ budget_usd: "1.00000000001" }, "budget_usd"],
      [{ budget_usd: "1000001" }, "budget_usd"],
      [{ budget_usd: true }, "budget_usd"],
      [{ budget_usd: "1", budget_period: "week" }, "budget_period"],
      [{ budget_usd: "1", budget_period: null }, "budget_period"],
      [{ budget_period: "day" }, "budget_period"],
      [{ budget_usd: null, budget_period: "month" }, "budget_period"],
      [{ rpm: 0 }, "rpm"],
      [{ rpm: 1.5 }, "rpm"],
      [{ rpm: "ten" }, "rpm"],
      [{ tpm: -5 }, "tpm"],
      [{ tpm: 1_000_000_001 }, "tpm"],
      [{ max_parallel: 0 }, "max_parallel"],
      [{ max_parallel: 10_001 }, "max_parallel"],
      [{ max_parallel: 2.5 }, "max_parallel"],
    ];
    for (const [body, field] of cases) {
      for (const [route, k] of [
        ["/api/keys", key],
        [`/api/admin/users/${user.id}/keys`, f.t.adminKey],
      ] as const) {
        const res = await call(url(route), { key: k, body });
        expect([field, JSON.stringify(body), res.status, res.body.error]).toEqual([
          field,
          JSON.stringify(body),
          400,
          "validation_error",
        ]);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
    }
    expect((await call(url("/api/keys"), { key })).body.data).toHaveLength(1);
  });

  it("PATCH /api/keys/{id} sets, keeps and clears the budget with its period, and the limits", async () => {
    const { key } = await createUserWithKey(f.t);
    const id = (await call(url("/api/keys"), { key, body: { name: "x" } })).body.data.id as string;
    const patch = (body: unknown) => call(url(`/api/keys/${id}`), { key, method: "PATCH", body });

    const periodAlone = await patch({ budget_period: "day" });
    expect(periodAlone.status).toBe(400);
    expect(periodAlone.body.details).toEqual([expect.objectContaining({ field: "budget_period" })]);

    expect((await patch({ budget_usd: "5" })).body.data).toMatchObject({
      budget_usd: "5",
      budget_period: "month",
    });
    expect((await patch({ budget_period: "total" })).body.data).toMatchObject({
      budget_usd: "5",
      budget_period: "total",
    });
    // A new amount keeps the period.
    expect((await patch({ budget_usd: 7.25 })).body.data).toMatchObject({
      budget_usd: "7.25",
      budget_period: "total",
    });
    const nullPeriod = await patch({ budget_period: null });
    expect(nullPeriod.status).toBe(400);
    expect(nullPeriod.body.details).toEqual([expect.objectContaining({ field: "budget_period" })]);
    expect(await storedRow(id)).toMatchObject({ budget_usd: "7.25", budget_period: "total" });

    expect(
      (await patch({ rpm: 10, tpm: 20, max_parallel: 10_000, budget_period: "day" })).body.data,
    ).toMatchObject({ rpm: 10, tpm: 20, max_parallel: 10_000, budget_usd: "7.25", budget_period: "day" });
    const cleared = await patch({ budget_usd: null, rpm: null, tpm: null, max_parallel: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data).toMatchObject({
      name: "x",
      budget_usd: null,
      budget_period: null,
      rpm: null,
      tpm: null,
      max_parallel: null,
    });
    expect(await storedRow(id)).toEqual({
      budget_usd: null,
      budget_period: null,
      rate_limit_rpm: null,
      rate_limit_tpm: null,
      max_parallel: null,
    });
    // Clearing both at once is fine too.
    expect((await patch({ budget_usd: null, budget_period: null })).status).toBe(200);
    for (const [body, field] of [
      [{ max_parallel: 0 }, "max_parallel"],
      [{ rpm: -1 }, "rpm"],
      [{ budget_usd: "x" }, "budget_usd"],
    ] as const) {
      const res = await patch(body);
      expect([field, res.status]).toEqual([field, 400]);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it("a key's own budget and limits are changed only by its user; GET of another's key is 404", async () => {
    const { key } = await createUserWithKey(f.t);
    const other = await createUserWithKey(f.t);
    const res = await call(url(`/api/keys/${other.keyId}`), {
      key,
      method: "PATCH",
      body: { budget_usd: "1" },
    });
    expect(res.status).toBe(404);
    expect((await call(url(`/api/keys/${other.keyId}`), { key })).status).toBe(404);
    expect(await storedRow(other.keyId)).toMatchObject({ budget_usd: null, budget_period: null });
  });

  it("a changed rpm applies at once to a key already in this replica's cache", async () => {
    const { key, keyId } = f.user;
    const chat = () =>
      call(url("/api/chat/completions"), {
        key,
        body: { provider: "openai", model: "gpt-4o-mini", messages: MESSAGES },
      });
    expect((await chat()).status).toBe(200);
    expect((await chat()).status).toBe(200);
    const set = await call(url(`/api/keys/${keyId}`), { key, method: "PATCH", body: { rpm: 1 } });
    expect(set.body.data.rpm).toBe(1);
    expect((await chat()).status).toBe(200);
    const refused = await chat();
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe("rate_limit_exceeded");
    await call(url(`/api/keys/${keyId}`), { key, method: "PATCH", body: { rpm: null } });
  });

  it("GET /api/keys/{id} shows where the key's budget stands, equal to straight SQL over its rows", async () => {
    const made = await call(url("/api/keys"), {
      key: f.user.key,
      body: { budget_usd: "100", budget_period: "day" },
    });
    const { id, key } = made.body.data as { id: string; key: string };
    const chat = async (model: string) => {
      const res = await call(url("/api/chat/completions"), {
        key,
        body: { provider: "openai", model, messages: MESSAGES },
      });
      expect(res.status).toBe(200);
    };
    await chat("gpt-4o-mini");
    await chat("gpt-4o");
    // Another key of the same user is not this key's spend.
    await call(url("/api/chat/completions"), {
      key: f.user.key,
      body: { provider: "openai", model: "gpt-4o", messages: MESSAGES },
    });
    const sqlSpent = async (since: "day" | null) => {
      const { rows } = await sql<{ spent: string }>`
        select coalesce(sum(total_cost), 0)::text as spent from requests where api_key_id = ${id}
        and (${since}::text is null
             or created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC')`.execute(
        f.t.gateway.services.db,
      );
      return addDecimals(rows[0]!.spent, "0");
    };
    const today = new Date().toISOString().slice(0, 10);
    const daily = (await call(url(`/api/keys/${id}`), { key: f.user.key })).body.data;
    const spentToday = await sqlSpent("day");
    expect(Number(spentToday)).toBeGreaterThan(0);
    expect(daily.budget).toMatchObject({
      period: today,
      period_start: `${today}T00:00:00.000Z`,
      limit_usd_exact: "100",
      spent_usd_exact: spentToday,
      reserved_usd_exact: "0",
      remaining_usd_exact: subtractDecimals("100", spentToday),
    });
    await call(url(`/api/keys/${id}`), {
      key: f.user.key,
      method: "PATCH",
      body: { budget_period: "total" },
    });
    const total = (await call(url(`/api/keys/${id}`), { key: f.user.key })).body.data;
    expect(total.budget).toMatchObject({
      period: "total",
      period_start: null,
      spent_usd_exact: await sqlSpent(null),
    });
    await call(url(`/api/keys/${id}`), { key: f.user.key, method: "PATCH", body: { budget_usd: null } });
    expect((await call(url(`/api/keys/${id}`), { key: f.user.key })).body.data.budget).toBeNull();
  });

  it("the typed client reads and writes the fields", async () => {
    const { createLlmgClient } = await import("@llmg/client");
    const { key } = await createUserWithKey(f.t);
    const client = createLlmgClient({ baseUrl: f.t.url, apiKey: key });
    const made = await client.keys.create.mutate({ budget_usd: "3", max_parallel: 2 });
    expect(made.data).toMatchObject({ budget_usd: "3", budget_period: "month", max_parallel: 2 });
    const got = await client.keys.get.query({ id: made.data.id });
    expect(got.data.budget_usd).toBe("3");
    const changed = await client.keys.update.mutate({ id: made.data.id, budget_period: "day", tpm: 100 });
    expect(changed.data).toMatchObject({ budget_period: "day", tpm: 100 });
  });
});
