import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type BudgetLevel,
  createLimitsFor,
  deliverDueWebhooks,
  fireAlerts,
  fireLevelAlerts,
  type Limits,
  monthKey,
  reconcileBudgets,
  SIGNATURE_HEADER,
  verifyWebhookSignature,
} from "@llmg/api";
import { insertRequests, listLevelAlerts, upsertTagBudget } from "@llmg/db";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeReplicas, flushPrefix, startReplicas, testPrefix } from "./budget-fixtures";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real webhook receiver on this machine: answers 204 and keeps what it got. */
async function startReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const signedBy = (secret: string, r: Received) =>
  verifyWebhookSignature(secret, r.headers[SIGNATURE_HEADER] as string, r.body);

const NANO = 1_000_000_000n;
// The forecast tests run on a clock in a known month: Nov 2026 has 30 days; at Nov 20 12:00 the
// projection window is Nov 14 00:00 .. now (6.5 days) and 10.5 days are left.
const NOW = Date.parse("2026-11-20T12:00:00Z");
const LONG_AGO = new Date("2026-01-01T00:00:00Z");

let rowSeq = 0;
function requestRow(
  userId: string,
  cost: string,
  at: string,
  extra: { team_id?: string; api_key_id?: string; tags?: string[] } = {},
) {
  rowSeq++;
  return {
    id: `req_la${rowSeq}_${userId}`,
    user_id: userId,
    provider: "openai",
    model: "gpt-4o-mini",
    endpoint: "api",
    status: "success" as const,
    http_status: 200,
    latency_ms: 1,
    total_cost: cost,
    created_at: new Date(at),
    ...extra,
  };
}

/**
 * $2 on Nov 15 and $1.25 on Nov 19: spent 3.25 this month, $3.25 in a 6.5-day window = $0.50 a
 * day, projected month end 3.25 + 0.5 × 10.5 = $8.50. A limit of 8 is projected to be passed
 * (forecast), 9 is not, 3 is already passed (thresholds, no forecast).
 */
const FORECAST_ROWS = [
  ["2", "2026-11-15T10:00:00Z"],
  ["1.25", "2026-11-19T10:00:00Z"],
] as const;

function helpers(t: () => TestGateway) {
  const db = () => t().database.db;
  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(`${t().url}/api${path}`, { ...init, key: t().adminKey });
  const alertsOf = (scope: string, levelId: string) =>
    db()
      .selectFrom("budget_alerts")
      .selectAll()
      .where("scope", "=", scope as "team")
      .where("level_id", "=", levelId)
      .orderBy("kind", "desc")
      .orderBy("threshold_percent")
      .execute();
  const clocked = (gateway: TestGateway): Limits => {
    const { services } = gateway.gateway;
    return createLimitsFor({
      db: services.db,
      config: services.config,
      logger: services.logger,
      redis: services.redis,
      clock: () => NOW,
    });
  };
  const backdate = async (userId: string, teamId?: string) => {
    await db().updateTable("users").set({ created_at: LONG_AGO }).where("id", "=", userId).execute();
    await db().updateTable("api_keys").set({ created_at: LONG_AGO }).where("user_id", "=", userId).execute();
    if (teamId)
      await db().updateTable("teams").set({ created_at: LONG_AGO }).where("id", "=", teamId).execute();
  };
  return { db, admin, alertsOf, clocked, backdate };
}

describe.each(testBackends())("level alerts on %s", (kind) => {
  let t: TestGateway;
  let receiver: Receiver;
  let fake: FakeProvider;
  const h = helpers(() => t);
  const deliver = () =>
    deliverDueWebhooks({
      db: t.database.db,
      secrets: t.gateway.services.secrets,
      egress: t.gateway.services.egress,
    });

  beforeAll(async () => {
    receiver = await startReceiver();
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-level-alerts" });
    // The receiver runs on this machine: the operator allows it, as for a local service.
    t = await startTestGateway(kind, { env: { LLMG_EGRESS_ALLOW: new URL(receiver.url).host } });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
    await receiver?.close();
  });

  const teamLevel = (teamId: string, limitUsd: bigint, thresholds: number[]): BudgetLevel => ({
    scope: "team",
    id: teamId,
    userId: "",
    period: "month",
    limitNano: limitUsd * NANO,
    thresholds,
    webhookUrl: null,
  });

  it("a team's thresholds fire once under concurrent crossings; its webhook is signed with the team's secret", async () => {
    const created = await h.admin("/admin/teams", {
      body: {
        name: `alerts-${Date.now()}-${kind}`,
        monthly_budget_usd: 10,
        webhook_url: `${receiver.url}/team-a`,
      },
    });
    expect(created.status).toBe(201);
    const team = created.body.data;
    const teamSecret = team.webhook_secret as string;
    expect(teamSecret).toMatch(/^whsec_/);
    // Shown once: never in a later answer, and stored sealed.
    const listed = await h.admin("/admin/teams?per_page=100");
    const shown = listed.body.data.find((x: { id: string }) => x.id === team.id);
    expect(shown).toBeDefined();
    expect(shown.webhook_secret).toBeUndefined();
    const stored = await h
      .db()
      .selectFrom("teams")
      .select("webhook_secret")
      .where("id", "=", team.id)
      .executeTakeFirstOrThrow();
    expect(stored.webhook_secret).toBeTruthy();
    expect(stored.webhook_secret).not.toContain(teamSecret);

    // A member with their own webhook: the team's alerts must not go there.
    const member = await createUserWithKey(t);
    const put = await call(`${t.url}/api/budget`, {
      key: member.key,
      method: "PUT",
      body: { webhook_url: `${receiver.url}/user-${member.user.id}` },
    });
    expect(put.status).toBe(200);
    const userSecret = put.body.data.webhook_secret as string;

    // Several replicas' settles crossing 50 and 80 at once (and one only 50).
    const level = teamLevel(team.id, 10n, [50, 80, 100]);
    const fired = await Promise.all([
      fireLevelAlerts(h.db(), {
        level,
        period: "2026-12",
        thresholds: [50, 80],
        spentNano: 8n * NANO,
        now: new Date(),
      }),
      fireLevelAlerts(h.db(), {
        level,
        period: "2026-12",
        thresholds: [50, 80],
        spentNano: 8n * NANO,
        now: new Date(),
      }),
      fireLevelAlerts(h.db(), {
        level,
        period: "2026-12",
        thresholds: [50],
        spentNano: 5n * NANO,
        now: new Date(),
      }),
      fireLevelAlerts(h.db(), {
        level,
        period: "2026-12",
        thresholds: [80],
        spentNano: 8n * NANO,
        now: new Date(),
      }),
    ]);
    expect(
      fired
        .flat()
        .map((a) => a.threshold_percent)
        .sort(),
    ).toEqual([50, 80]);
    const rows = await h.alertsOf("team", team.id);
    expect(rows.map((a) => [a.threshold_percent, a.kind, a.user_id, a.webhook_status])).toEqual([
      [50, "threshold", null, "pending"],
      [80, "threshold", null, "pending"],
    ]);
    // The next period fires again.
    await fireLevelAlerts(h.db(), {
      level,
      period: "2027-01",
      thresholds: [50],
      spentNano: 5n * NANO,
      now: new Date(),
    });
    expect((await listLevelAlerts(h.db(), { scope: "team", levelId: team.id }, "2027-01")).length).toBe(1);
    expect(
      (await listLevelAlerts(h.db(), { scope: "team", levelId: team.id }, "2026-12")).map(
        (a) => a.threshold_percent,
      ),
    ).toEqual([50, 80]);

    const logged = await h
      .db()
      .selectFrom("activity_log")
      .selectAll()
      .where("action", "=", "budget.alert")
      .where(
        "target_id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ user_id: null, actor: "system" });
    expect(logged[0]!.details).toMatchObject({ scope: "team", level_id: team.id, kind: "threshold" });

    await deliver();
    const got = receiver.received.filter((r) => r.path === "/team-a");
    expect(got).toHaveLength(3);
    for (const r of got) {
      expect(signedBy(teamSecret, r)).toBe(true);
      expect(signedBy(userSecret, r)).toBe(false);
      expect(r.headers["x-llmg-event"]).toBe("budget.threshold_crossed");
      expect(JSON.parse(r.body).data).toMatchObject({
        user_id: null,
        scope: "team",
        level_id: team.id,
        kind: "threshold",
        limit_usd: "10",
        mode: "hard",
      });
    }
    expect(receiver.received.filter((r) => r.path === `/user-${member.user.id}`)).toHaveLength(0);
    expect((await h.alertsOf("team", team.id)).every((a) => a.webhook_status === "delivered")).toBe(true);
  });

  it("issues a team's secret when its webhook first appears or on rotation, once, and tells the limiter", async () => {
    const { services } = t.gateway;
    const invalidated: string[] = [];
    const original = services.limits.invalidateTeam.bind(services.limits);
    services.limits.invalidateTeam = (id: string) => {
      invalidated.push(id);
      original(id);
    };
    try {
      const created = await h.admin("/admin/teams", { body: { name: `rot-${Date.now()}-${kind}` } });
      expect(created.status).toBe(201);
      const team = created.body.data;
      expect(team.webhook_secret).toBeUndefined();
      const manager = await createUserWithKey(t);
      expect(
        (
          await h.admin(`/admin/teams/${team.id}/members`, {
            body: { user_id: manager.user.id, role: "manager" },
          })
        ).status,
      ).toBe(200);
      const patch = (body: Record<string, unknown>) =>
        call(`${t.url}/api/teams/${team.id}/budget`, { key: manager.key, method: "PATCH", body });

      const noUrl = await patch({ rotate_webhook_secret: true });
      expect(noUrl.status).toBe(400);
      expect(JSON.stringify(noUrl.body)).toContain("rotate_webhook_secret");

      const first = await patch({ webhook_url: `${receiver.url}/team-rot` });
      expect(first.status).toBe(200);
      const s1 = first.body.data.webhook_secret as string;
      expect(s1).toMatch(/^whsec_/);
      expect(invalidated).toContain(team.id);

      invalidated.length = 0;
      const again = await patch({ monthly_budget_usd: 20 });
      expect(again.status).toBe(200);
      expect(again.body.data.webhook_secret).toBeUndefined();
      expect(invalidated).toEqual([team.id]);

      const rotated = await patch({ rotate_webhook_secret: true });
      expect(rotated.status).toBe(200);
      const s2 = rotated.body.data.webhook_secret as string;
      expect(s2).toMatch(/^whsec_/);
      expect(s2).not.toBe(s1);

      invalidated.length = 0;
      const byAdmin = await h.admin(`/admin/teams/${team.id}`, {
        method: "PATCH",
        body: { rotate_webhook_secret: true, rpm: 100 },
      });
      expect(byAdmin.status).toBe(200);
      const s3 = byAdmin.body.data.webhook_secret as string;
      expect(s3).toMatch(/^whsec_/);
      expect(s3).not.toBe(s2);
      expect(invalidated).toEqual([team.id]);

      // Only the newest secret signs.
      await fireLevelAlerts(h.db(), {
        level: teamLevel(team.id, 20n, [50]),
        period: "2026-12",
        thresholds: [50],
        spentNano: 10n * NANO,
        now: new Date(),
      });
      await deliver();
      const [got] = receiver.received.filter((r) => r.path === "/team-rot");
      expect(got).toBeDefined();
      expect(signedBy(s3, got!)).toBe(true);
      expect(signedBy(s2, got!)).toBe(false);
      expect(signedBy(s1, got!)).toBe(false);

      // Removing the URL drops the secret; setting one again issues a fresh one.
      expect((await patch({ webhook_url: null })).body.data.webhook_secret).toBeUndefined();
      const stored = await h
        .db()
        .selectFrom("teams")
        .select("webhook_secret")
        .where("id", "=", team.id)
        .executeTakeFirstOrThrow();
      expect(stored.webhook_secret).toBeNull();
      const back = await patch({ webhook_url: `${receiver.url}/team-rot2` });
      expect(back.body.data.webhook_secret).toMatch(/^whsec_/);
    } finally {
      services.limits.invalidateTeam = original;
    }
  });

  it("a key's alerts go to its user's webhook, signed with the user's secret; the user's own alerts keep their payload", async () => {
    const { user, key, keyId } = await createUserWithKey(t, { monthly_budget_usd: 10 });
    const put = await call(`${t.url}/api/budget`, {
      key,
      method: "PUT",
      body: { webhook_url: `${receiver.url}/owner-${user.id}` },
    });
    const secret = put.body.data.webhook_secret as string;
    const level: BudgetLevel = {
      scope: "key",
      id: keyId,
      userId: user.id,
      period: "day",
      limitNano: 2n * NANO,
      thresholds: [50, 80, 100],
      webhookUrl: null,
    };
    const fired = await fireLevelAlerts(h.db(), {
      level,
      period: "2026-12-01",
      thresholds: [100],
      spentNano: 2n * NANO,
      now: new Date(),
    });
    expect(fired.map((a) => [a.scope, a.level_id, a.user_id, a.period])).toEqual([
      ["key", keyId, user.id, "2026-12-01"],
    ]);
    const settings = await t.gateway.services.limits.settings(user.id);
    const month = monthKey(Date.now());
    await fireAlerts(h.db(), {
      settings: settings!,
      period: month,
      thresholds: [50],
      spentNano: 5n * NANO,
      now: new Date(),
    });
    // GET /api/budget shows the user's own alerts, not their key's.
    const budget = (await call(`${t.url}/api/budget`, { key })).body.data;
    expect(
      budget.alerts.map((a: { kind: string; threshold_percent: number }) => [a.kind, a.threshold_percent]),
    ).toEqual([["threshold", 50]]);

    await deliver();
    const got = receiver.received.filter((r) => r.path === `/owner-${user.id}`);
    expect(got).toHaveLength(2);
    for (const r of got) expect(signedBy(secret, r)).toBe(true);
    const bodies = got.map((r) => JSON.parse(r.body));
    const keyAlert = bodies.find((b) => b.data.scope === "key");
    expect(keyAlert.data).toMatchObject({
      user_id: user.id,
      level_id: keyId,
      kind: "threshold",
      period: "2026-12-01",
      threshold_percent: 100,
      limit_usd: "2",
      spent_usd: "2",
      percent_used: 100,
    });
    const own = bodies.find((b) => b.data.scope === "user");
    // Every field a receiver of user alerts relied on, unchanged; the level fields added.
    expect(own).toEqual({
      id: expect.any(String),
      type: "budget.threshold_crossed",
      created_at: expect.any(String),
      data: {
        user_id: user.id,
        period: month,
        threshold_percent: 50,
        limit_usd: "10",
        spent_usd: "5",
        percent_used: 50,
        mode: "hard",
        scope: "user",
        level_id: null,
        kind: "threshold",
      },
    });
  });

  it("the periodic job fires a team's thresholds that were reached but never fired, once", async () => {
    const user = await createUserWithKey(t);
    const created = await h.admin("/admin/teams", {
      body: { name: `catchup-${Date.now()}-${kind}`, monthly_budget_usd: 100, thresholds: [50, 80, 100] },
    });
    const team = created.body.data;
    await h.backdate(user.user.id, team.id);
    await insertRequests(h.db(), [
      requestRow(user.user.id, "30", "2026-11-03T10:00:00Z", { team_id: team.id }),
      requestRow(user.user.id, "25.5", "2026-11-10T10:00:00Z", { team_id: team.id }),
      // Last month's spend is not this month's.
      requestRow(user.user.id, "90", "2026-10-30T10:00:00Z", { team_id: team.id }),
    ]);
    // Straight SQL: what the team spent in November.
    const sum = await h
      .db()
      .selectFrom("requests")
      .select((eb) => eb.fn.sum<string>("total_cost").as("s"))
      .where("team_id", "=", team.id)
      .where("created_at", ">=", new Date("2026-11-01T00:00:00Z"))
      .where("created_at", "<", new Date("2026-12-01T00:00:00Z"))
      .executeTakeFirstOrThrow();
    expect(Number(sum.s)).toBe(55.5);
    expect(await h.alertsOf("team", team.id)).toEqual([]);

    const limits = h.clocked(t);
    const report = await reconcileBudgets({ db: h.db(), limits });
    expect(report.levels).toBeGreaterThanOrEqual(1);
    const rows = await h.alertsOf("team", team.id);
    // 55.5 of 100 reached 50 only. Nothing was spent in the projection's window (Nov 14 on), so
    // the month end is projected at 55.5: no forecast.
    expect(rows.map((a) => [a.kind, a.threshold_percent, a.period, a.spent_usd])).toEqual([
      ["threshold", 50, "2026-11", "55.5"],
    ]);
    expect((await reconcileBudgets({ db: h.db(), limits })).alerts).toBe(0);
    expect(await h.alertsOf("team", team.id)).toHaveLength(1);
  });

  it("forecasts once per period for the user, team, monthly key and tag levels; not when already over, not for daily keys", async () => {
    // One user with four budgets over the same spend ($3.25, $8.50 projected): user 8 (fires),
    // team 8 (fires), key 9 (does not), tag 8 (fires); another tag at 3 is already over (its
    // thresholds, no forecast).
    const { user, keyId } = await createUserWithKey(t, { monthly_budget_usd: 8 });
    const created = await h.admin("/admin/teams", {
      body: { name: `forecast-${Date.now()}-${kind}`, monthly_budget_usd: 8 },
    });
    const team = created.body.data;
    const other = await createUserWithKey(t);
    await h
      .db()
      .updateTable("api_keys")
      .set({ budget_usd: "9", budget_period: "month" })
      .where("id", "=", keyId)
      .execute();
    await h
      .db()
      .updateTable("api_keys")
      .set({ budget_usd: "1", budget_period: "day" })
      .where("id", "=", other.keyId)
      .execute();
    await upsertTagBudget(h.db(), user.id, "feature-x", "8");
    await upsertTagBudget(h.db(), user.id, "feature-y", "3");
    await h.backdate(user.id, team.id);
    await h.backdate(other.user.id);
    await insertRequests(
      h.db(),
      FORECAST_ROWS.map(([cost, at]) =>
        requestRow(user.id, cost, at, {
          team_id: team.id,
          api_key_id: keyId,
          tags: ["feature-x", "feature-y"],
        }),
      ),
    );
    await insertRequests(h.db(), [
      requestRow(other.user.id, "2", "2026-11-20T08:00:00Z", { api_key_id: other.keyId }),
    ]);

    const limits = h.clocked(t);
    await reconcileBudgets({ db: h.db(), limits });
    await reconcileBudgets({ db: h.db(), limits });

    const kinds = (rows: { kind: string; threshold_percent: number }[]) =>
      rows.map((a) => `${a.kind}:${a.threshold_percent}`);
    const userRows = await listLevelAlerts(h.db(), { scope: "user", userId: user.id }, "2026-11");
    expect(kinds(userRows)).toEqual(["projected_exceed:0"]);
    const forecast = userRows.find((a) => a.kind === "projected_exceed")!;
    expect([forecast.spent_usd, forecast.projected_usd, forecast.limit_usd]).toEqual(["3.25", "8.5", "8"]);
    expect(kinds(await h.alertsOf("team", team.id))).toEqual(["projected_exceed:0"]);
    expect(kinds(await h.alertsOf("key", keyId))).toEqual([]);
    expect(
      kinds(
        await listLevelAlerts(h.db(), { scope: "tag", levelId: "feature-x", userId: user.id }, "2026-11"),
      ),
    ).toEqual(["projected_exceed:0"]);
    expect(
      kinds(
        await listLevelAlerts(h.db(), { scope: "tag", levelId: "feature-y", userId: user.id }, "2026-11"),
      ),
    ).toEqual(["threshold:50", "threshold:80", "threshold:100"]);
    // A daily key is over its day's budget: thresholds for that day, and no month-end forecast.
    expect(
      (await h.alertsOf("key", other.keyId)).map((a) => [a.kind, a.threshold_percent, a.period]),
    ).toEqual([
      ["threshold", 50, "2026-11-20"],
      ["threshold", 80, "2026-11-20"],
      ["threshold", 100, "2026-11-20"],
    ]);

    // The key's limit lowered below the projection: its forecast fires on the next run, once.
    await h.db().updateTable("api_keys").set({ budget_usd: "8" }).where("id", "=", keyId).execute();
    const report = await reconcileBudgets({ db: h.db(), limits });
    expect(report.forecasts).toBe(1);
    expect(kinds(await h.alertsOf("key", keyId))).toEqual(["projected_exceed:0"]);
    expect((await reconcileBudgets({ db: h.db(), limits })).forecasts).toBe(0);

    const logged = await h
      .db()
      .selectFrom("activity_log")
      .select("details")
      .where("action", "=", "budget.forecast_alert")
      .where("target_id", "=", forecast.id)
      .execute();
    expect(logged).toHaveLength(1);
    expect(logged[0]!.details).toMatchObject({
      scope: "user",
      kind: "projected_exceed",
      projected_usd: "8.5",
    });
  });
});

const production = testRedisUrl() !== null && testBackends().includes("postgres");

describe.runIf(production)("level alerts on two replicas sharing PostgreSQL and Redis", () => {
  let replicas: TestGateway[];
  let receiver: Receiver;
  let fake: FakeProvider;
  const prefix = testPrefix();
  const h = helpers(() => replicas[0]!);

  beforeAll(async () => {
    receiver = await startReceiver();
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-level-alerts-2" });
    replicas = await startReplicas("postgres", 2, fake, {
      redis: true,
      prefix,
      env: { LLMG_EGRESS_ALLOW: new URL(receiver.url).host },
    });
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    await receiver?.close();
    await flushPrefix(prefix);
  });

  it("the forecast fires once per period per level and is delivered once when both replicas run the jobs at once", async () => {
    const { user, key } = await createUserWithKey(replicas[0]!, { monthly_budget_usd: 8 });
    const put = await call(`${replicas[1]!.url}/api/budget`, {
      key,
      method: "PUT",
      body: { webhook_url: `${receiver.url}/u-${user.id}` },
    });
    const userSecret = put.body.data.webhook_secret as string;
    const created = await h.admin("/admin/teams", {
      body: { name: `replicas-${Date.now()}`, monthly_budget_usd: 8, webhook_url: `${receiver.url}/t` },
    });
    const team = created.body.data;
    const teamSecret = team.webhook_secret as string;
    await h.backdate(user.id, team.id);
    await insertRequests(
      h.db(),
      FORECAST_ROWS.map(([cost, at]) => requestRow(user.id, cost, at, { team_id: team.id })),
    );

    // Both replicas run the periodic job, three times each, all at once.
    const limits = replicas.map((r) => h.clocked(r));
    await Promise.all(
      [0, 1, 0, 1, 0, 1].map((i) => reconcileBudgets({ db: replicas[i]!.database.db, limits: limits[i]! })),
    );
    const forecasts = await h
      .db()
      .selectFrom("budget_alerts")
      .selectAll()
      .where("kind", "=", "projected_exceed")
      .where((eb) => eb.or([eb("user_id", "=", user.id), eb("level_id", "=", team.id)]))
      .orderBy("scope")
      .execute();
    expect(forecasts.map((a) => [a.scope, a.level_id, a.period, a.projected_usd])).toEqual([
      ["team", team.id, "2026-11", "8.5"],
      ["user", null, "2026-11", "8.5"],
    ]);
    const logged = await h
      .db()
      .selectFrom("activity_log")
      .select("target_id")
      .where("action", "=", "budget.forecast_alert")
      .where(
        "target_id",
        "in",
        forecasts.map((f) => f.id),
      )
      .execute();
    expect(logged).toHaveLength(2);

    // Both replicas' delivery jobs at once: each alert is sent exactly once.
    const reports = await Promise.all(
      [0, 1, 0, 1].map((i) =>
        deliverDueWebhooks({
          db: replicas[i]!.gateway.services.db,
          secrets: replicas[i]!.gateway.services.secrets,
          egress: replicas[i]!.gateway.services.egress,
        }),
      ),
    );
    expect(reports.reduce((n, r) => n + r.delivered, 0)).toBeGreaterThanOrEqual(2);
    const toTeam = receiver.received.filter((r) => r.path === "/t");
    const toUser = receiver.received.filter((r) => r.path === `/u-${user.id}`);
    const teamForecasts = toTeam.filter((r) => JSON.parse(r.body).data.kind === "projected_exceed");
    const userForecasts = toUser.filter((r) => JSON.parse(r.body).data.kind === "projected_exceed");
    expect(teamForecasts).toHaveLength(1);
    expect(userForecasts).toHaveLength(1);
    expect(signedBy(teamSecret, teamForecasts[0]!)).toBe(true);
    expect(signedBy(userSecret, userForecasts[0]!)).toBe(true);
    expect(teamForecasts[0]!.headers["x-llmg-event"]).toBe("budget.projected_exceed");
    expect(JSON.parse(teamForecasts[0]!.body)).toMatchObject({
      type: "budget.projected_exceed",
      data: {
        scope: "team",
        level_id: team.id,
        kind: "projected_exceed",
        period: "2026-11",
        threshold_percent: 0,
        limit_usd: "8",
        spent_usd: "3.25",
        projected_usd: "8.5",
      },
    });
    // Every alert these levels fired was delivered exactly once.
    const ids = [...toTeam, ...toUser].map((r) => JSON.parse(r.body).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("a team's threshold crossed by settles on both replicas at once fires once", async () => {
    const created = await h.admin("/admin/teams", {
      body: { name: `replicas-th-${Date.now()}`, monthly_budget_usd: 10 },
    });
    const team = created.body.data;
    const level: BudgetLevel = {
      scope: "team",
      id: team.id,
      userId: "",
      period: "month",
      limitNano: 10n * NANO,
      thresholds: [50, 80, 100],
      webhookUrl: null,
    };
    const fired = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fireLevelAlerts(replicas[i % 2]!.gateway.services.db, {
          level,
          period: "2026-12",
          thresholds: [80, 100],
          spentNano: 10n * NANO,
          now: new Date(),
        }),
      ),
    );
    expect(fired.flat()).toHaveLength(2);
    expect((await h.alertsOf("team", team.id)).map((a) => [a.threshold_percent, a.webhook_status])).toEqual([
      [80, "none"],
      [100, "none"],
    ]);
  });
});
