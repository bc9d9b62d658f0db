import { createLlmgClient, llmgErrorCode } from "@llmg/client";
import { addDecimals, subtractDecimals } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, FAKE_KEY, startChatFixture } from "./chat-harness";
import { call, createUserWithKey } from "./harness";

const MESSAGES = [{ role: "user", content: "Hello" }];

describe.each(testBackends())("tag budgets on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_PROVIDER_MAX_RETRIES: "0" });
  });
  afterAll(async () => {
    await f?.close();
  });

  const url = (path: string) => `${f.t.url}${path}`;
  const put = (key: string, tag: string, body: unknown) =>
    call(url(`/api/budget/tags/${tag}`), { key, method: "PUT", body });
  const get = (key: string, tag: string) => call(url(`/api/budget/tags/${tag}`), { key });
  const del = (key: string, tag: string) => call(url(`/api/budget/tags/${tag}`), { key, method: "DELETE" });
  const list = async (key: string) => {
    const res = await call(url("/api/budget/tags"), { key });
    expect(res.status).toBe(200);
    return res.body.data as any[];
  };
  const keyWithScopes = async (key: string, scopes: string[]) =>
    (await call(url("/api/keys"), { key, body: { scopes } })).body.data.key as string;
  /** This UTC month's recorded spend of a user's calls carrying `tag`, straight from the rows. */
  const sqlSpent = async (userId: string, tag: string) => {
    const { rows } = await sql<{ spent: string }>`
      select coalesce(sum(total_cost), 0)::text as spent from requests
      where user_id = ${userId} and ${tag} = any(tags)
        and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'`.execute(
      f.t.gateway.services.db,
    );
    return addDecimals(rows[0]!.spent, "0");
  };

  it("PUT creates and replaces, GET lists and reads one, DELETE removes; tags are stored lowercase", async () => {
    const { user, key } = await createUserWithKey(f.t);
    const created = await put(key, "Feature:Search", { monthly_budget_usd: "20.5" });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      tag: "feature:search",
      limit_usd: 20.5,
      limit_usd_exact: "20.5",
      spent_usd_exact: "0",
      reserved_usd_exact: "0",
      remaining_usd_exact: "20.5",
      percent_used: 0,
    });
    const month = new Date().toISOString().slice(0, 7);
    expect(created.body.data.period).toBe(month);
    expect(created.body.data.period_start).toBe(`${month}-01T00:00:00.000Z`);
    // A `/` of the tag travels as %2F.
    expect((await put(key, "team%2Fweb", { monthly_budget_usd: 3 })).body.data.tag).toBe("team/web");
    const replaced = await put(key, "feature:search", { monthly_budget_usd: "0.0000000001" });
    expect(replaced.body.data.limit_usd_exact).toBe("0.0000000001");

    expect((await list(key)).map((b) => [b.tag, b.limit_usd_exact])).toEqual([
      ["feature:search", "0.0000000001"],
      ["team/web", "3"],
    ]);
    expect((await get(key, "TEAM%2FWEB")).body.data).toMatchObject({ tag: "team/web", limit_usd_exact: "3" });
    const { rows } = await sql<{ tag: string; usd: string }>`
      select tag, monthly_budget_usd::text as usd from tag_budgets where user_id = ${user.id} order by tag`.execute(
      f.t.gateway.services.db,
    );
    expect(rows).toEqual([
      { tag: "feature:search", usd: "0.0000000001" },
      { tag: "team/web", usd: "3" },
    ]);

    const deleted = await del(key, "Team%2FWeb");
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({ tag: "team/web", deleted: true });
    expect((await del(key, "team%2Fweb")).status).toBe(404);
    expect((await get(key, "team%2Fweb")).status).toBe(404);
    expect((await get(key, "never-set")).body.error).toBe("not_found");
    expect((await list(key)).map((b) => b.tag)).toEqual(["feature:search"]);

    const actions = await f.t.database.db
      .selectFrom("activity_log")
      .select(["action", "target_id", "details"])
      .where("user_id", "=", user.id)
      .where("target_type", "=", "tag_budget")
      .orderBy("id")
      .execute();
    expect(actions.map((a) => [a.action, a.target_id])).toEqual([
      ["tag_budget.set", "feature:search"],
      ["tag_budget.set", "team/web"],
      ["tag_budget.set", "feature:search"],
      ["tag_budget.delete", "team/web"],
    ]);
    expect(actions[2]!.details).toMatchObject({
      monthly_budget_usd: "0.0000000001",
      previous_monthly_budget_usd: "20.5",
    });
  });

  it("refuses bad tags and amounts with 400 naming the field, and stores nothing", async () => {
    const { user, key } = await createUserWithKey(f.t);
    const badTags = [
      "not%20ok",
      "a".repeat(65),
      "%E2%84%AA",
      "%ZZ",
      "a%00b",
      "caf%C3%A9",
      "%2F%2F".repeat(33),
    ];
    for (const tag of badTags) {
      for (const res of [
        await put(key, tag, { monthly_budget_usd: 1 }),
        await get(key, tag),
        await del(key, tag),
      ]) {
        expect([tag, res.status, res.body.error]).toEqual([tag, 400, "validation_error"]);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain("tag");
      }
    }
    const badAmounts: unknown[] = [
      {},
      { monthly_budget_usd: null },
      { monthly_budget_usd: -1 },
      { monthly_budget_usd: "-0.1" },
      { monthly_budget_usd: "abc" },
      { monthly_budget_usd: "1.00000000001" },
      { monthly_budget_usd: "1000001" },
      { monthly_budget_usd: "1e3" },
    ];
    for (const body of badAmounts) {
      const res = await put(key, "ok-tag", body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain("monthly_budget_usd");
    }
    const { rows } = await sql<{ n: string }>`
      select count(*)::text as n from tag_budgets where user_id = ${user.id}`.execute(
      f.t.gateway.services.db,
    );
    expect(rows[0]!.n).toBe("0");
  });

  it("writing needs manage; a read key only reads; a chat key neither", async () => {
    const { key } = await createUserWithKey(f.t);
    await put(key, "scoped", { monthly_budget_usd: 1 });
    const readKey = await keyWithScopes(key, ["read"]);
    const chatKey = await keyWithScopes(key, ["chat"]);
    for (const res of [
      await put(readKey, "scoped", { monthly_budget_usd: 9 }),
      await del(readKey, "scoped"),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error).toBe("insufficient_scope");
    }
    expect((await get(readKey, "scoped")).body.data.limit_usd_exact).toBe("1");
    expect((await list(readKey)).map((b) => b.tag)).toEqual(["scoped"]);
    expect((await get(chatKey, "scoped")).status).toBe(403);
    expect((await call(url("/api/budget/tags"), { key: chatKey })).status).toBe(403);
    // The admin key belongs to no user.
    expect((await put(f.t.adminKey, "scoped", { monthly_budget_usd: 1 })).status).toBe(403);
  });

  it("one user never sees or changes another's tag budgets", async () => {
    const a = await createUserWithKey(f.t);
    const b = await createUserWithKey(f.t);
    await put(a.key, "shared-name", { monthly_budget_usd: 5 });
    expect(await list(b.key)).toEqual([]);
    expect((await get(b.key, "shared-name")).status).toBe(404);
    expect((await del(b.key, "shared-name")).status).toBe(404);
    expect((await put(b.key, "shared-name", { monthly_budget_usd: 7 })).status).toBe(200);
    expect((await get(a.key, "shared-name")).body.data.limit_usd_exact).toBe("5");
    expect((await get(b.key, "shared-name")).body.data.limit_usd_exact).toBe("7");
    expect((await del(b.key, "shared-name")).status).toBe(200);
    expect((await list(a.key)).map((x) => x.limit_usd_exact)).toEqual(["5"]);
  });

  it("holds at most 100 tag budgets per user; replacing one at the bound is fine", async () => {
    const { user, key } = await createUserWithKey(f.t);
    await f.t.database.db
      .insertInto("tag_budgets")
      .values(
        Array.from({ length: 99 }, (_, i) => ({ user_id: user.id, tag: `t${i}`, monthly_budget_usd: "1" })),
      )
      .execute();
    expect((await put(key, "hundredth", { monthly_budget_usd: 1 })).status).toBe(200);
    const refused = await put(key, "one-too-many", { monthly_budget_usd: 1 });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: "tag" })]);
    expect(refused.body.message).toContain("100");
    expect((await put(key, "t5", { monthly_budget_usd: 2 })).status).toBe(200);
    expect(await list(key)).toHaveLength(100);
    // Concurrent creations at the bound: exactly one more fits after a delete.
    await del(key, "t0");
    const racing = await Promise.all(
      Array.from({ length: 5 }, (_, i) => put(key, `race-${i}`, { monthly_budget_usd: 1 })),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    expect(await list(key)).toHaveLength(100);
  });

  it("spent is this month's recorded cost of the user's calls carrying the tag, equal to straight SQL", async () => {
    const { user, key } = f.user;
    const other = await createUserWithKey(f.t);
    await call(url("/api/credentials"), {
      key: other.key,
      body: { provider: "openai", name: "fake", api_key: FAKE_KEY },
    });
    const chat = async (k: string, tags: string, model = "gpt-4o-mini") => {
      const res = await call(url("/api/chat/completions"), {
        key: k,
        headers: { "x-llmg-tags": tags },
        body: { provider: "openai", model, messages: MESSAGES },
      });
      expect(res.status).toBe(200);
    };
    await put(key, "alpha", { monthly_budget_usd: "10" });
    await put(key, "beta", { monthly_budget_usd: "0.5" });
    await put(key, "unused", { monthly_budget_usd: "1" });
    await chat(key, "Alpha,beta");
    await chat(key, "alpha");
    await chat(key, "gamma,alpha", "gpt-4o");
    await chat(key, "beta");
    // Another user's calls with the same tag are theirs.
    await chat(other.key, "alpha");

    const alpha = await sqlSpent(user.id, "alpha");
    const beta = await sqlSpent(user.id, "beta");
    expect(Number(alpha)).toBeGreaterThan(0);
    expect(Number(beta)).toBeGreaterThan(0);
    expect(alpha).not.toBe(beta);
    const listed = Object.fromEntries((await list(key)).map((b) => [b.tag, b]));
    expect(listed.alpha).toMatchObject({ spent_usd_exact: alpha, reserved_usd_exact: "0" });
    expect(listed.beta.spent_usd_exact).toBe(beta);
    expect(listed.unused.spent_usd_exact).toBe("0");
    expect(listed.alpha.remaining_usd_exact).toBe(subtractDecimals("10", alpha));
    expect(listed.alpha.spent_usd).toBe(Number(alpha));
    // The other user's call is in the rows, and not in this user's figure.
    expect(await sqlSpent(other.user.id, "alpha")).not.toBe("0");
    const one = (await get(key, "ALPHA")).body.data;
    expect(one.spent_usd_exact).toBe(alpha);
    expect(one.remaining_usd_exact).toBe(subtractDecimals("10", alpha));
    expect((await get(key, "beta")).body.data.spent_usd_exact).toBe(beta);
    await put(other.key, "alpha", { monthly_budget_usd: "1" });
    expect((await get(other.key, "alpha")).body.data.spent_usd_exact).toBe(
      await sqlSpent(other.user.id, "alpha"),
    );
  });

  it("the typed client sets, reads and deletes a tag budget", async () => {
    const { key } = await createUserWithKey(f.t);
    const client = createLlmgClient({ baseUrl: f.t.url, apiKey: key });
    const set = await client.budget.tags.set.mutate({ tag: "Client/Tag", monthly_budget_usd: "4" });
    expect(set.data.tag).toBe("client/tag");
    expect((await client.budget.tags.get.query({ tag: "client/tag" })).data.limit_usd_exact).toBe("4");
    expect((await client.budget.tags.list.query({})).data.map((b) => b.tag)).toEqual(["client/tag"]);
    await client.budget.tags.delete.mutate({ tag: "client/tag" });
    const gone = await client.budget.tags.get.query({ tag: "client/tag" }).catch((e: unknown) => e);
    expect(llmgErrorCode(gone)).toBe("not_found");
    const bad = await client.budget.tags.set
      .mutate({ tag: "no spaces", monthly_budget_usd: 1 })
      .catch((e) => e);
    expect(llmgErrorCode(bad)).toBe("validation_error");
  });
});
