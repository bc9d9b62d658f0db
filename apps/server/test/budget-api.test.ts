import { insertRequests } from "@llmg/db";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useClock } from "./budget-fixtures";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const NOW = Date.parse("2026-11-20T12:00:00Z");

describe.each(testBackends())("budget endpoints on %s", (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    // Webhook URLs are resolved when set; this suite's public host answers from here (no DNS in CI).
    t = await startTestGateway(kind, {
      egressResolver: { resolve4: async () => ["93.184.215.14"], resolve6: async () => [] },
    });
  });
  afterAll(async () => {
    await t?.close();
  });
  const put = (key: string, body: unknown) => call(`${t.url}/api/budget`, { key, method: "PUT", body });

  it("shows an admin-set budget, and an unlimited one, with every field", async () => {
    const limited = await createUserWithKey(t, { monthly_budget_usd: 50 });
    const res = await call(`${t.url}/api/budget`, { key: limited.key });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      limit_usd: 50,
      limit_usd_exact: "50",
      spent_usd: 0,
      spent_usd_exact: "0",
      reserved_usd_exact: "0",
      remaining_usd_exact: "50",
      percent_used: 0,
      projection_method: "month_to_date_plus_7_day_average",
      projected_month_end_usd_exact: "0",
      projected_exhaustion_date: null,
      status: "ok",
      mode: "hard",
      thresholds: [50, 80, 100],
      webhook_url: null,
      webhook_secret_set: false,
      alerts: [],
    });
    const unlimited = await createUserWithKey(t);
    expect((await call(`${t.url}/api/budget`, { key: unlimited.key })).body.data).toMatchObject({
      limit_usd: null,
      remaining_usd: null,
      percent_used: null,
      status: "ok",
    });
    expect((await call(`${t.url}/api/budget`)).status).toBe(401);
    expect((await call(`${t.url}/api/budget`, { key: t.adminKey })).status).toBe(403);
  });

  it("validates updates", async () => {
    const { key } = await createUserWithKey(t);
    for (const body of [
      { limit_usd: -1 },
      { limit_usd: "abc" },
      { limit_usd: 2_000_000 },
      { thresholds: [0] },
      { thresholds: [50, 1001] },
      { webhook_url: "ftp://example.com/hook" },
      { webhook_url: "not a url" },
      { mode: "strict" },
      { rotate_webhook_secret: true },
    ]) {
      const res = await put(key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe("validation_error");
    }
  });

  it("sets limit, thresholds, mode and webhook, logs it, and shows the signing secret once", async () => {
    const { user, key } = await createUserWithKey(t);
    const first = await put(key, {
      limit_usd: "12.5",
      thresholds: [90, 25, 90],
      mode: "soft",
      webhook_url: "https://hooks.example.com/llmg",
    });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({
      limit_usd_exact: "12.5",
      thresholds: [25, 90],
      mode: "soft",
      webhook_url: "https://hooks.example.com/llmg",
      webhook_secret_set: true,
    });
    const secret = first.body.data.webhook_secret;
    expect(secret).toMatch(/^whsec_/);
    expect((await call(`${t.url}/api/budget`, { key })).body.data.webhook_secret).toBeUndefined();
    const sameUrl = await put(key, { webhook_url: "https://hooks.example.com/other" });
    expect(sameUrl.body.data.webhook_secret).toBeUndefined();
    const rotated = await put(key, { rotate_webhook_secret: true });
    expect(rotated.body.data.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.body.data.webhook_secret).not.toBe(secret);
    const removed = await put(key, { webhook_url: null, limit_usd: null });
    expect(removed.body.data).toMatchObject({
      webhook_url: null,
      webhook_secret_set: false,
      limit_usd: null,
    });

    const log = await t.database.db
      .selectFrom("activity_log")
      .selectAll()
      .where("user_id", "=", user.id)
      .where("action", "=", "budget.update")
      .orderBy("id")
      .execute();
    expect(log).toHaveLength(4);
    expect(log[0]!.details).toMatchObject({ limit_usd: "12.5", previous_limit_usd: null, mode: "soft" });
    expect(JSON.stringify(log)).not.toContain(secret);
    const stored = await t.database.db
      .selectFrom("budgets")
      .selectAll()
      .where("user_id", "=", user.id)
      .executeTakeFirst();
    expect(JSON.stringify(stored)).not.toContain("whsec_");
  });

  describe("with the clock at 2026-11-20 12:00 UTC", () => {
    let user: { id: string };
    let key: string;
    beforeAll(async () => {
      useClock(t, () => NOW);
      const created = await createUserWithKey(t, { monthly_budget_usd: 20 });
      user = created.user;
      key = created.key;
      const db = t.database.db;
      await db
        .updateTable("users")
        .set({ created_at: new Date("2026-08-01T00:00:00Z") })
        .where("id", "=", user.id)
        .execute();
      // The limit was 10 until Oct 15, then 20.
      await db.deleteFrom("budget_changes").where("user_id", "=", user.id).execute();
      await db
        .insertInto("budget_changes")
        .values([
          {
            user_id: user.id,
            limit_usd: "10",
            previous_limit_usd: null,
            changed_at: new Date("2026-08-01T00:00:00Z"),
          },
          {
            user_id: user.id,
            limit_usd: "20",
            previous_limit_usd: "10",
            changed_at: new Date("2026-10-15T10:00:00Z"),
          },
        ])
        .execute();
      const row = (id: string, cost: string, at: string) => ({
        id: `${id}_${user.id}`,
        user_id: user.id,
        provider: "openai",
        model: "gpt-4o-mini",
        endpoint: "api",
        status: "success" as const,
        http_status: 200,
        latency_ms: 1,
        total_cost: cost,
        created_at: new Date(at),
      });
      await insertRequests(db, [
        row("r1", "1", "2026-09-05T10:00:00Z"),
        row("r2", "2", "2026-10-10T10:00:00Z"),
        row("r3", "3", "2026-10-20T10:00:00Z"),
        row("r4", "4", "2026-11-02T10:00:00Z"),
        row("r5", "1.05", "2026-11-19T10:00:00Z"),
        row("r6", "0.25", "2026-11-20T11:00:00Z"),
      ]);
    });

    it("projects the month end from the last 7 days", async () => {
      const data = (await call(`${t.url}/api/budget`, { key })).body.data;
      // Window Nov 14 00:00 .. Nov 20 12:00 = 6.5 days, $1.30 in it: $0.20/day, 10.5 days left.
      expect(data).toMatchObject({
        period: "2026-11",
        days_in_month: 30,
        days_elapsed: 20,
        days_left: 10,
        spent_usd_exact: "5.3",
        remaining_usd_exact: "14.7",
        percent_used: 26.5,
        projection_window_days: 6.5,
        average_daily_spend_usd_exact: "0.2",
        projected_month_end_usd_exact: "7.4",
        projected_exhaustion_date: null,
        status: "ok",
      });
    });

    it("gives monthly history with the limit that applied in each month", async () => {
      const res = await call(`${t.url}/api/budget/history?months=3&granularity=month`, { key });
      expect(res.status).toBe(200);
      expect(
        res.body.data.points.map((p: Record<string, unknown>) => [
          p.period,
          p.spent_usd_exact,
          p.requests,
          p.limit_usd_exact,
          p.percent_of_limit,
        ]),
      ).toEqual([
        ["2026-09", "1", 1, "10", 10],
        ["2026-10", "5", 2, "20", 25],
        ["2026-11", "5.3", 3, "20", 26.5],
      ]);
    });

    it("gives daily history, every day present, with month-to-date totals", async () => {
      const res = await call(`${t.url}/api/budget/history?months=3&granularity=day`, { key });
      const points = res.body.data.points as Record<string, unknown>[];
      expect(points).toHaveLength(30 + 31 + 20);
      const byDay = new Map(points.map((p) => [p.period, p]));
      expect(byDay.get("2026-09-01")).toMatchObject({
        spent_usd_exact: "0",
        cumulative_usd_exact: "0",
        limit_usd_exact: "10",
      });
      expect(byDay.get("2026-10-14")).toMatchObject({
        cumulative_usd_exact: "2",
        limit_usd_exact: "10",
        percent_of_limit: 20,
      });
      expect(byDay.get("2026-10-15")).toMatchObject({
        cumulative_usd_exact: "2",
        limit_usd_exact: "20",
        percent_of_limit: 10,
      });
      expect(byDay.get("2026-11-01")).toMatchObject({ cumulative_usd_exact: "0" });
      expect(byDay.get("2026-11-20")).toMatchObject({
        spent_usd_exact: "0.25",
        cumulative_usd_exact: "5.3",
        requests: 1,
      });
      const invalid = await call(`${t.url}/api/budget/history?granularity=week`, { key });
      expect(invalid.status).toBe(400);
    });
  });
});
