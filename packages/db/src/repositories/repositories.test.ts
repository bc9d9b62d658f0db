import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase, testBackends } from "../testing";
import { listActivity, purgeActivityBefore, recordActivity } from "./activity-log";
import { findActiveKeyByHash, insertApiKey, listActiveKeys, revokeKey } from "./api-keys";
import { setSettingIfAbsent } from "./settings";
import { createUser, findUserByEmail, listUsers } from "./users";

describe.each(testBackends())("repositories on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("keeps numeric exact as a string and turns int8 into a number", async () => {
    const row = await sql<{ money: string; big: number }>`
      select 0.1::numeric + 0.2::numeric as money, 9007199254740991::int8 as big`.execute(t.db);
    expect(row.rows[0]).toEqual({ money: "0.3", big: 9007199254740991 });
    await expect(sql`select 9007199254740993::int8 as too_big`.execute(t.db)).rejects.toThrow(/2\^53/);
  });

  it("creates, finds and pages users", async () => {
    const a = await createUser(t.db, { email: "a@example.com", monthlyBudgetUsd: "12.5" });
    await createUser(t.db, { email: "b@example.com", name: "B", rateLimitRpm: 60 });
    expect(a.id).toMatch(/^usr_[0-9A-Za-z]{20}$/);
    expect(a.monthly_budget_usd).toBe("12.5");
    expect((await findUserByEmail(t.db, "b@example.com"))?.rate_limit_rpm).toBe(60);
    const page = await listUsers(t.db, { page: 2, perPage: 1 });
    expect(page.total).toBe(2);
    expect(page.items.map((u) => u.email)).toEqual(["b@example.com"]);
    await expect(createUser(t.db, { email: "a@example.com" })).rejects.toMatchObject({ code: "23505" });
  });

  it("finds a key by hash until it is revoked, and only its owner can revoke it", async () => {
    const owner = await createUser(t.db, { email: "owner@example.com" });
    const other = await createUser(t.db, { email: "other@example.com" });
    const key = await insertApiKey(t.db, { userId: owner.id, prefix: "llmg_abc", keyHash: "h1" });
    expect((await findActiveKeyByHash(t.db, "h1"))?.id).toBe(key.id);
    expect(await revokeKey(t.db, other.id, key.id)).toBeUndefined();
    expect((await revokeKey(t.db, owner.id, key.id))?.revoked_at).toBeInstanceOf(Date);
    expect(await findActiveKeyByHash(t.db, "h1")).toBeUndefined();
    expect(await listActiveKeys(t.db, owner.id)).toEqual([]);
    expect(await revokeKey(t.db, owner.id, key.id)).toBeUndefined();
  });

  it("lists activity newest first, filters by action, and purges old entries", async () => {
    const u = await createUser(t.db, { email: "act@example.com" });
    await recordActivity(t.db, { userId: u.id, actor: "admin", action: "user.create", ip: "127.0.0.1" });
    await recordActivity(t.db, { userId: u.id, actor: u.id, action: "api_key.create", details: { n: 1 } });
    const all = await listActivity(t.db, u.id, { page: 1, perPage: 10 });
    expect(all.total).toBe(2);
    expect(all.items.map((e) => e.action)).toEqual(["api_key.create", "user.create"]);
    expect(all.items[0]?.details).toEqual({ n: 1 });
    const filtered = await listActivity(t.db, u.id, { page: 1, perPage: 10 }, "user.create");
    expect(filtered.items.map((e) => e.actor)).toEqual(["admin"]);
    expect(await purgeActivityBefore(t.db, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(2);
    expect((await listActivity(t.db, u.id, { page: 1, perPage: 10 })).total).toBe(0);
  });

  it("keeps the first value of a setting when two writers race", async () => {
    const results = await Promise.all([
      setSettingIfAbsent(t.db, "k", "one"),
      setSettingIfAbsent(t.db, "k", "two"),
    ]);
    expect(new Set(results).size).toBe(1);
  });
});
