import { randomBytes } from "node:crypto";
import { createLlmgClient, llmgErrorCode } from "@llmg/client";
import { addDecimals, subtractDecimals } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, FAKE_KEY, startChatFixture } from "./chat-harness";
import { call, createUserWithKey } from "./harness";

const MESSAGES = [{ role: "user", content: "Hello" }];

describe.each(testBackends())("a team's budget read by its members on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_PROVIDER_MAX_RETRIES: "0" });
  });
  afterAll(async () => {
    await f?.close();
  });

  const url = (path: string) => `${f.t.url}${path}`;
  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(url(`/api${path}`), { ...init, key: f.t.adminKey });
  const createTeam = async (body: Record<string, unknown> = {}) => {
    const res = await admin("/admin/teams", {
      body: { name: `team-${randomBytes(4).toString("hex")}`, ...body },
    });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; name: string };
  };
  const join = async (teamId: string, userId: string) => {
    const res = await admin(`/admin/teams/${teamId}/members`, { body: { user_id: userId } });
    expect(res.status).toBe(200);
  };
  const teamKey = async (key: string, teamId: string) => {
    const res = await call(url("/api/keys"), { key, body: { team_id: teamId } });
    expect(res.status).toBe(201);
    return res.body.data.key as string;
  };
  const chat = async (key: string, model = "gpt-4o-mini") => {
    const res = await call(url("/api/chat/completions"), {
      key,
      body: { provider: "openai", model, messages: MESSAGES },
    });
    expect(res.status).toBe(200);
  };
  const budgetOf = (key: string, teamId: string) => call(url(`/api/teams/${teamId}/budget`), { key });
  /** This UTC month's recorded spend that counted for the team, straight from the rows. */
  const sqlTeamSpent = async (teamId: string) => {
    const { rows } = await sql<{ spent: string }>`
      select coalesce(sum(total_cost), 0)::text as spent from requests
      where team_id = ${teamId}
        and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'`.execute(
      f.t.gateway.services.db,
    );
    return addDecimals(rows[0]!.spent, "0");
  };

  it("shows the limit, the month's spend of every member's team calls (= straight SQL), remaining and projection", async () => {
    const team = await createTeam({ monthly_budget_usd: "10.5", thresholds: [25, 75] });
    const a = f.user;
    const b = await createUserWithKey(f.t);
    await call(url("/api/credentials"), {
      key: b.key,
      body: { provider: "openai", name: "fake", api_key: FAKE_KEY },
    });
    await join(team.id, a.user.id);
    await join(team.id, b.user.id);
    const aTeam = await teamKey(a.key, team.id);
    const bTeam = await teamKey(b.key, team.id);

    await chat(aTeam);
    await chat(aTeam, "gpt-4o");
    await chat(bTeam);
    // Calls with keys outside the team are not the team's.
    await chat(a.key);
    await chat(b.key, "gpt-4o");

    const spent = await sqlTeamSpent(team.id);
    expect(Number(spent)).toBeGreaterThan(0);
    const { rows } = await sql<{ n: string }>`
      select count(*)::text as n from requests where team_id = ${team.id}`.execute(f.t.gateway.services.db);
    expect(rows[0]!.n).toBe("3");

    const res = await budgetOf(a.key, team.id);
    expect(res.status).toBe(200);
    const data = res.body.data;
    const month = new Date().toISOString().slice(0, 7);
    expect(data).toMatchObject({
      team_id: team.id,
      team_name: team.name,
      period: month,
      period_start: `${month}-01T00:00:00.000Z`,
      limit_usd: 10.5,
      limit_usd_exact: "10.5",
      spent_usd_exact: spent,
      spent_usd: Number(spent),
      reserved_usd_exact: "0",
      remaining_usd_exact: subtractDecimals("10.5", spent),
      status: "ok",
      mode: "hard",
      thresholds: [25, 75],
      webhook_url: null,
      webhook_secret_set: false,
      alerts: [],
      projection_method: "month_to_date_plus_7_day_average",
    });
    expect(Number(data.projected_month_end_usd_exact)).toBeGreaterThanOrEqual(Number(spent));
    expect(Number(data.average_daily_spend_usd_exact)).toBeGreaterThan(0);
    // Every member sees the same figures.
    const seenByB = (await budgetOf(b.key, team.id)).body.data;
    expect(seenByB.spent_usd_exact).toBe(spent);
    // The shape of GET /api/budget, naming the team.
    const own = (await call(url("/api/budget"), { key: a.key })).body.data;
    expect(Object.keys(data).sort()).toEqual([...Object.keys(own), "team_id", "team_name"].sort());

    // A member removed keeps the team's past: their calls stay in its books.
    const removed = await admin(`/admin/teams/${team.id}/members/${b.user.id}`, { method: "DELETE" });
    expect(removed.status).toBe(200);
    expect((await budgetOf(b.key, team.id)).status).toBe(404);
    expect((await budgetOf(a.key, team.id)).body.data.spent_usd_exact).toBe(spent);
  });

  it("a team without a limit shows no limit and no remaining", async () => {
    const team = await createTeam();
    await join(team.id, f.user.user.id);
    const data = (await budgetOf(f.user.key, team.id)).body.data;
    expect(data).toMatchObject({
      limit_usd: null,
      limit_usd_exact: null,
      remaining_usd: null,
      remaining_usd_exact: null,
      percent_used: null,
      spent_usd_exact: "0",
      status: "ok",
      thresholds: [50, 80, 100],
    });
  });

  it("404 for a non-member and an unknown team; 403 for the admin key and a key without read", async () => {
    const team = await createTeam({ monthly_budget_usd: 1 });
    const member = await createUserWithKey(f.t);
    await join(team.id, member.user.id);
    const outsider = await createUserWithKey(f.t);
    const notMember = await budgetOf(outsider.key, team.id);
    expect(notMember.status).toBe(404);
    expect(notMember.body.error).toBe("not_found");
    const unknown = await budgetOf(member.key, "team_nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe(notMember.body.message);
    expect((await budgetOf(f.t.adminKey, team.id)).status).toBe(403);
    const chatOnly = (await call(url("/api/keys"), { key: member.key, body: { scopes: ["chat"] } })).body.data
      .key as string;
    const refused = await budgetOf(chatOnly, team.id);
    expect([refused.status, refused.body.error]).toEqual([403, "insufficient_scope"]);
    const readOnly = (await call(url("/api/keys"), { key: member.key, body: { scopes: ["read"] } })).body.data
      .key as string;
    expect((await budgetOf(readOnly, team.id)).status).toBe(200);
    const bad = await budgetOf(member.key, "a".repeat(101));
    expect([bad.status, bad.body.details?.[0]?.field]).toEqual([400, "id"]);
  });

  it("the typed client reads it", async () => {
    const team = await createTeam({ monthly_budget_usd: "2" });
    await join(team.id, f.user.user.id);
    const client = createLlmgClient({ baseUrl: f.t.url, apiKey: f.user.key });
    const read = await client.teams.budget.query({ id: team.id });
    expect(read.data).toMatchObject({ team_id: team.id, limit_usd_exact: "2", spent_usd_exact: "0" });
    const outsider = await createUserWithKey(f.t);
    const failure = await createLlmgClient({ baseUrl: f.t.url, apiKey: outsider.key })
      .teams.budget.query({ id: team.id })
      .catch((e: unknown) => e);
    expect(llmgErrorCode(failure)).toBe("not_found");
  });
});
