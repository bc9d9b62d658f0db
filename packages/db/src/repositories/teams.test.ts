import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase, testBackends } from "../testing";
import { findActiveKeyByHash, insertApiKey, updateKeyAttributes } from "./api-keys";
import {
  createTeam,
  findTeamMember,
  listTeamMembers,
  listTeamsOfUser,
  removeTeamMember,
  updateTeam,
  upsertTeamMember,
} from "./teams";
import { createUser } from "./users";

describe.each(testBackends())("teams and key attributes on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("creates teams with unique names, exact money and default thresholds", async () => {
    const team = await createTeam(t.db, {
      name: "core",
      monthlyBudgetUsd: "100.0000000001",
      budgetCapUsd: "200",
    });
    expect(team.id).toMatch(/^team_[0-9A-Za-z]{20}$/);
    expect(team.monthly_budget_usd).toBe("100.0000000001");
    expect(team.thresholds).toEqual([50, 80, 100]);
    await expect(createTeam(t.db, { name: "core" })).rejects.toMatchObject({ code: "23505" });
    const changed = await updateTeam(t.db, team.id, { thresholds: [10, 90], webhookUrl: "https://x.test/h" });
    expect(changed).toMatchObject({ thresholds: [10, 90], webhook_url: "https://x.test/h" });
  });

  it("adds, re-roles and removes members; removal detaches the member's keys from the team only", async () => {
    const team = await createTeam(t.db, { name: "members" });
    const other = await createTeam(t.db, { name: "other" });
    const u = await createUser(t.db, { email: "m@example.com" });
    await upsertTeamMember(t.db, team.id, u.id, "member");
    await upsertTeamMember(t.db, other.id, u.id, "member");
    expect((await upsertTeamMember(t.db, team.id, u.id, "manager")).role).toBe("manager");
    expect((await listTeamMembers(t.db, team.id)).map((m) => [m.email, m.role])).toEqual([
      ["m@example.com", "manager"],
    ]);
    expect((await listTeamsOfUser(t.db, u.id)).map((x) => [x.name, x.role])).toEqual([
      ["members", "manager"],
      ["other", "member"],
    ]);
    const k1 = await insertApiKey(t.db, { userId: u.id, prefix: "p", keyHash: "t1", teamId: team.id });
    const k2 = await insertApiKey(t.db, { userId: u.id, prefix: "p", keyHash: "t2", teamId: other.id });
    expect(k1.scopes).toEqual(["chat", "read", "manage"]);
    expect(k1.allowed_models).toBeNull();
    const removed = await removeTeamMember(t.db, team.id, u.id);
    expect(removed?.detachedKeyHashes).toEqual(["t1"]);
    expect(await findTeamMember(t.db, team.id, u.id)).toBeUndefined();
    expect((await findActiveKeyByHash(t.db, "t1"))?.team_id).toBeNull();
    expect((await findActiveKeyByHash(t.db, "t2"))?.team_id).toBe(other.id);
    expect(await removeTeamMember(t.db, team.id, u.id)).toBeUndefined();
    expect(k2.id).toBeTruthy();
  });

  it("stores and changes scopes, allowed models and expiry of a key", async () => {
    const u = await createUser(t.db, { email: "k@example.com" });
    const expires = new Date("2030-01-01T00:00:00Z");
    const key = await insertApiKey(t.db, {
      userId: u.id,
      prefix: "p",
      keyHash: "a1",
      scopes: ["read"],
      allowedModels: ["openai/*"],
      expiresAt: expires,
    });
    expect(key).toMatchObject({ scopes: ["read"], allowed_models: ["openai/*"], expires_at: expires });
    const changed = await updateKeyAttributes(t.db, u.id, key.id, { scopes: ["chat"], allowedModels: null });
    expect(changed).toMatchObject({ scopes: ["chat"], allowed_models: null, expires_at: expires });
    const stranger = await createUser(t.db, { email: "s@example.com" });
    expect(await updateKeyAttributes(t.db, stranger.id, key.id, { scopes: ["read"] })).toBeUndefined();
  });
});
