import { randomBytes } from "node:crypto";
import { createLlmgClient, llmgErrorCode } from "@llmg/client";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const unique = (p: string) => `${p}-${randomBytes(4).toString("hex")}`;

describe.each(testBackends())("teams on %s", (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    // Webhook URLs are resolved when set; the public host answers from here, the private one is refused.
    t = await startTestGateway(kind, {
      egressResolver: {
        resolve4: async (host: string) =>
          host === "internal.example.com" ? ["10.0.0.5"] : ["93.184.215.14"],
        resolve6: async () => [],
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(`${t.url}/api${path}`, { ...init, key: t.adminKey });
  const createTeam = async (body: Record<string, unknown> = {}) => {
    const res = await admin("/admin/teams", { body: { name: unique("team"), ...body } });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; name: string };
  };
  const addMember = (teamId: string, userId: string, role?: string) =>
    admin(`/admin/teams/${teamId}/members`, { body: { user_id: userId, ...(role ? { role } : {}) } });
  const activity = (action: string, targetId: string) =>
    t.database.db
      .selectFrom("activity_log")
      .selectAll()
      .where("action", "=", action)
      .where("target_id", "=", targetId)
      .orderBy("id", "asc")
      .execute();

  it("the admin creates, lists and changes teams; money stays exact and each action is logged", async () => {
    const name = unique("platform");
    const res = await admin("/admin/teams", {
      body: {
        name,
        monthly_budget_usd: "100.0000000001",
        budget_cap_usd: 200,
        thresholds: [80, 50, 80],
        webhook_url: "https://hooks.example.com/team",
        rpm: 600,
        tpm: 100000,
      },
    });
    expect(res.status).toBe(201);
    const team = res.body.data;
    expect(team).toMatchObject({
      name,
      monthly_budget_usd: "100.0000000001",
      budget_cap_usd: "200",
      thresholds: [50, 80],
      webhook_url: "https://hooks.example.com/team",
      rpm: 600,
      tpm: 100000,
    });
    expect(team.id).toMatch(/^team_[0-9A-Za-z]{20}$/);

    const listed = await admin("/admin/teams?per_page=100");
    expect(listed.status).toBe(200);
    expect(listed.body.data.find((x: { id: string }) => x.id === team.id)).toMatchObject({ name });

    const changed = await admin(`/admin/teams/${team.id}`, {
      method: "PATCH",
      body: { budget_cap_usd: 50, rpm: null },
    });
    expect(changed.status).toBe(200);
    // A cap below the limit lowers the limit to it.
    expect(changed.body.data).toMatchObject({ budget_cap_usd: "50", monthly_budget_usd: "50", rpm: null });

    const [created] = await activity("team.create", team.id);
    expect(created).toMatchObject({ actor: "admin", target_type: "team", user_id: null });
    const [updated] = await activity("team.update", team.id);
    expect(updated!.details).toMatchObject({
      budget_cap_usd: { from: "200", to: "50" },
      monthly_budget_usd: { from: "100.0000000001", to: "50" },
      rpm: { from: 600, to: null },
      monthly_budget_clamped_to_cap: true,
    });
  });

  it("a cap with no limit starts the limit at the cap; duplicate names are 409", async () => {
    const team = await createTeam({ budget_cap_usd: "25.5" });
    expect(team).toMatchObject({ monthly_budget_usd: "25.5", budget_cap_usd: "25.5" });
    const again = await admin("/admin/teams", { body: { name: team.name } });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("conflict");
    const other = await createTeam();
    const rename = await admin(`/admin/teams/${other.id}`, { method: "PATCH", body: { name: team.name } });
    expect(rename.status).toBe(409);
  });

  it("refuses bad admin input with 400 naming the field, and the user key with 403", async () => {
    const { key } = await createUserWithKey(t);
    const team = await createTeam({ budget_cap_usd: 10 });
    const cases: [string, string, unknown, string][] = [
      ["POST", "/admin/teams", { name: "" }, "name"],
      ["POST", "/admin/teams", { name: "a\u0000b" }, "name"],
      ["POST", "/admin/teams", { name: "x".repeat(101) }, "name"],
      ["POST", "/admin/teams", { name: unique("n"), monthly_budget_usd: 0.1 + 0.2 }, "monthly_budget_usd"],
      ["POST", "/admin/teams", { name: unique("n"), monthly_budget_usd: -1 }, "monthly_budget_usd"],
      [
        "POST",
        "/admin/teams",
        { name: unique("n"), monthly_budget_usd: 20, budget_cap_usd: 10 },
        "monthly_budget_usd",
      ],
      ["POST", "/admin/teams", { name: unique("n"), thresholds: Array(11).fill(5) }, "thresholds"],
      ["POST", "/admin/teams", { name: unique("n"), webhook_url: "ftp://x.example.com" }, "webhook_url"],
      ["POST", "/admin/teams", { name: unique("n"), rpm: 0 }, "rpm"],
      ["PATCH", `/admin/teams/${team.id}`, {}, "(body)"],
      ["PATCH", `/admin/teams/${team.id}`, { monthly_budget_usd: 11 }, "monthly_budget_usd"],
      ["PATCH", `/admin/teams/${team.id}`, { monthly_budget_usd: null }, "monthly_budget_usd"],
      ["POST", `/admin/teams/${team.id}/members`, { user_id: "usr_x", role: "owner" }, "role"],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await admin(path, { method, body });
      expect([path, res.status, res.body.error]).toEqual([path, 400, "validation_error"]);
      expect(JSON.stringify(res.body.details)).toContain(field);
    }
    const privateHook = await admin("/admin/teams", {
      body: { name: unique("n"), webhook_url: "https://internal.example.com/h" },
    });
    expect(privateHook.status).toBe(400);
    expect(privateHook.body.error).toBe("egress_denied");
    expect((await admin("/admin/teams/team_nope", { method: "PATCH", body: { rpm: 5 } })).status).toBe(404);
    const asUser = await call(`${t.url}/api/admin/teams`, { key, body: { name: unique("n") } });
    expect(asUser.status).toBe(403);
  });

  it("members see their teams with their role; non-members get 404 whether or not the team exists", async () => {
    const team = await createTeam({ monthly_budget_usd: 30 });
    const manager = await createUserWithKey(t, { name: "Manager" });
    const member = await createUserWithKey(t);
    const outsider = await createUserWithKey(t);
    expect((await addMember(team.id, manager.user.id, "manager")).status).toBe(200);
    const added = await addMember(team.id, member.user.id);
    expect(added.body.data).toEqual({ team_id: team.id, user_id: member.user.id, role: "member" });

    const mine = await call(`${t.url}/api/teams`, { key: member.key });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([
      expect.objectContaining({ id: team.id, role: "member", monthly_budget_usd: "30" }),
    ]);
    expect((await call(`${t.url}/api/teams`, { key: outsider.key })).body.data).toEqual([]);

    const detail = await call(`${t.url}/api/teams/${team.id}`, { key: member.key });
    expect(detail.status).toBe(200);
    expect(detail.body.data.role).toBe("member");
    expect(
      detail.body.data.members.map((m: { user_id: string; role: string }) => [m.user_id, m.role]),
    ).toEqual([
      [manager.user.id, "manager"],
      [member.user.id, "member"],
    ]);
    expect(detail.body.data.members[0]).toMatchObject({ email: manager.user.email, name: "Manager" });

    const hidden = await call(`${t.url}/api/teams/${team.id}`, { key: outsider.key });
    const missing = await call(`${t.url}/api/teams/team_doesnotexist`, { key: outsider.key });
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    expect(hidden.body.message).toBe(missing.body.message);

    // Adding again changes the role; unknown team or user: 404.
    expect((await addMember(team.id, member.user.id, "manager")).body.data.role).toBe("manager");
    expect((await addMember("team_nope", member.user.id)).status).toBe(404);
    expect((await addMember(team.id, "usr_nope")).status).toBe(404);
    const [entry] = await activity("team.member.add", team.id);
    expect(entry).toMatchObject({ actor: "admin", user_id: manager.user.id, details: { role: "manager" } });
  });

  it("a manager changes the team's budget within the admin's cap; members and outsiders cannot", async () => {
    const team = await createTeam({ budget_cap_usd: 100, monthly_budget_usd: 40 });
    const manager = await createUserWithKey(t);
    const member = await createUserWithKey(t);
    const outsider = await createUserWithKey(t);
    await addMember(team.id, manager.user.id, "manager");
    await addMember(team.id, member.user.id, "member");
    const patch = (key: string, body: unknown, id = team.id) =>
      call(`${t.url}/api/teams/${id}/budget`, { key, method: "PATCH", body });

    const res = await patch(manager.key, {
      monthly_budget_usd: "99.99",
      thresholds: [90, 75],
      webhook_url: "https://hooks.example.com/mgr",
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      monthly_budget_usd: "99.99",
      thresholds: [75, 90],
      webhook_url: "https://hooks.example.com/mgr",
      role: "manager",
      budget_cap_usd: "100",
    });
    const above = await patch(manager.key, { monthly_budget_usd: "100.01" });
    expect(above.status).toBe(400);
    expect(above.body.details).toEqual([expect.objectContaining({ field: "monthly_budget_usd" })]);
    const unlimited = await patch(manager.key, { monthly_budget_usd: null });
    expect(unlimited.status).toBe(400);
    // A manager cannot touch the cap: the field is not part of this route.
    const cap = await patch(manager.key, { budget_cap_usd: 1000 });
    expect(cap.status).toBe(400);
    const egress = await patch(manager.key, { webhook_url: "https://internal.example.com/x" });
    expect(egress.body.error).toBe("egress_denied");
    expect((await patch(member.key, { monthly_budget_usd: 1 })).status).toBe(403);
    expect((await patch(outsider.key, { monthly_budget_usd: 1 })).status).toBe(404);
    expect((await patch(outsider.key, { monthly_budget_usd: 1 }, "team_nope")).status).toBe(404);

    const detail = await call(`${t.url}/api/teams/${team.id}`, { key: member.key });
    expect(detail.body.data).toMatchObject({ monthly_budget_usd: "99.99", thresholds: [75, 90] });
    const entries = await activity("team.budget.update", team.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: manager.user.id, user_id: manager.user.id });
    expect(entries[0]!.details).toMatchObject({ monthly_budget_usd: { from: "40", to: "99.99" } });
  });

  it("removing a member ends their access, and a second removal is 404", async () => {
    const team = await createTeam();
    const member = await createUserWithKey(t);
    await addMember(team.id, member.user.id);
    const removed = await admin(`/admin/teams/${team.id}/members/${member.user.id}`, { method: "DELETE" });
    expect(removed.status).toBe(200);
    expect(removed.body.data).toEqual({
      team_id: team.id,
      user_id: member.user.id,
      removed: true,
      keys_detached: 0,
    });
    expect((await call(`${t.url}/api/teams/${team.id}`, { key: member.key })).status).toBe(404);
    expect(
      (await admin(`/admin/teams/${team.id}/members/${member.user.id}`, { method: "DELETE" })).status,
    ).toBe(404);
    expect(await activity("team.member.remove", team.id)).toEqual([
      expect.objectContaining({ user_id: member.user.id, actor: "admin" }),
    ]);
  });
});

describe("teams through the typed client and the OpenAPI document", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the client reaches every team route with full types, and the document lists them", async () => {
    const admin = createLlmgClient({ baseUrl: t.url, apiKey: t.adminKey });
    const team = await admin.admin.createTeam.mutate({ name: unique("typed"), budget_cap_usd: "10" });
    expect(team.data.monthly_budget_usd).toBe("10");
    const { user, key } = await createUserWithKey(t);
    await admin.admin.addTeamMember.mutate({ id: team.data.id, user_id: user.id, role: "manager" });
    expect((await admin.admin.listTeams.query({})).pagination.total).toBe(1);
    await admin.admin.updateTeam.mutate({ id: team.data.id, tpm: 1000 });

    const client = createLlmgClient({ baseUrl: t.url, apiKey: key });
    const mine = await client.teams.list.query({});
    expect(mine.data.map((x) => x.role)).toEqual(["manager"]);
    const changed = await client.teams.updateBudget.mutate({ id: team.data.id, monthly_budget_usd: "9.5" });
    expect(changed.data.monthly_budget_usd).toBe("9.5");
    const detail = await client.teams.get.query({ id: team.data.id });
    expect(detail.data).toMatchObject({ tpm: 1000, members: [{ user_id: user.id }] });
    const made = await client.keys.create.mutate({ team_id: team.data.id, scopes: ["chat"] });
    const patched = await client.keys.update.mutate({ id: made.data.id, allowed_models: ["openai/*"] });
    expect(patched.data).toMatchObject({
      team_id: team.data.id,
      scopes: ["chat"],
      allowed_models: ["openai/*"],
    });
    const above = await client.teams.updateBudget
      .mutate({ id: team.data.id, monthly_budget_usd: "11" })
      .catch((e) => e);
    expect(llmgErrorCode(above)).toBe("validation_error");
    await admin.admin.removeTeamMember.mutate({ id: team.data.id, userId: user.id });
    expect(llmgErrorCode(await client.teams.get.query({ id: team.data.id }).catch((e) => e))).toBe(
      "not_found",
    );

    const doc = (await call(`${t.url}/openapi.json`)).body;
    for (const path of [
      "/admin/teams",
      "/admin/teams/{id}",
      "/admin/teams/{id}/members",
      "/admin/teams/{id}/members/{userId}",
      "/teams",
      "/teams/{id}",
      "/teams/{id}/budget",
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths["/keys/{id}"].patch.summary).toMatch(/Change an API key/);
    expect(doc.paths["/teams/{id}/budget"].patch.responses["403"].description).toMatch(/insufficient_scope/);
  });
});
