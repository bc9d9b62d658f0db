import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase, testBackends } from "../testing";
import {
  claimDueWebhooks,
  insertAlertOnce,
  listAlerts,
  recordWebhookDelivered,
  recordWebhookFailure,
} from "./budget-alerts";
import {
  findBudgetSettings,
  listBudgetChanges,
  setMonthlyLimit,
  spendBetween,
  spendBuckets,
  spendByUserSince,
  upsertBudget,
} from "./budgets";
import { insertRequests } from "./requests";
import { createUser } from "./users";

function row(userId: string, id: string, cost: string, at: string) {
  return {
    id,
    user_id: userId,
    provider: "openai",
    model: "gpt-4o-mini",
    endpoint: "api",
    status: "success" as const,
    http_status: 200,
    latency_ms: 1,
    total_cost: cost,
    created_at: new Date(at),
  };
}

describe.each(testBackends())("budget repositories on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("reads settings with defaults, upserts them, and records every limit change by trigger", async () => {
    const user = await createUser(t.db, { email: "budget@example.com", monthlyBudgetUsd: "10" });
    const fresh = await findBudgetSettings(t.db, user.id);
    expect(fresh).toMatchObject({ monthly_budget_usd: "10", mode: null, thresholds: null });

    await upsertBudget(t.db, user.id, { mode: "soft", thresholds: [25, 90] });
    await upsertBudget(t.db, user.id, { webhookUrl: "http://127.0.0.1:1/hook" });
    await setMonthlyLimit(t.db, user.id, "20.5");
    await setMonthlyLimit(t.db, user.id, "20.5");
    await setMonthlyLimit(t.db, user.id, null);
    const settings = await findBudgetSettings(t.db, user.id);
    expect(settings).toMatchObject({
      monthly_budget_usd: null,
      mode: "soft",
      thresholds: [25, 90],
      webhook_url: "http://127.0.0.1:1/hook",
    });
    const changes = await listBudgetChanges(t.db, user.id);
    expect(changes.map((c) => [c.previous_limit_usd, c.limit_usd])).toEqual([
      [null, "10"],
      ["10", "20.5"],
      ["20.5", null],
    ]);
  });

  it("sums spend exactly per UTC day and month, and per user", async () => {
    const user = await createUser(t.db, { email: "spend@example.com" });
    await insertRequests(t.db, [
      row(user.id, "r1", "0.1", "2026-10-31T23:59:59.999Z"),
      row(user.id, "r2", "0.2", "2026-11-01T00:00:00.000Z"),
      row(user.id, "r3", "0.000000001", "2026-11-01T12:00:00.000Z"),
      row(user.id, "r4", "1", "2026-11-03T08:00:00.000Z"),
    ]);
    const days = await spendBuckets(t.db, user.id, new Date("2026-10-01Z"), new Date("2026-12-01Z"), "day");
    expect(days.map((d) => [d.bucket.toISOString(), d.spent, d.requests])).toEqual([
      ["2026-10-31T00:00:00.000Z", "0.1", 1],
      ["2026-11-01T00:00:00.000Z", "0.200000001", 2],
      ["2026-11-03T00:00:00.000Z", "1", 1],
    ]);
    const months = await spendBuckets(
      t.db,
      user.id,
      new Date("2026-10-01Z"),
      new Date("2026-12-01Z"),
      "month",
    );
    expect(months.map((d) => [d.bucket.toISOString(), d.spent])).toEqual([
      ["2026-10-01T00:00:00.000Z", "0.1"],
      ["2026-11-01T00:00:00.000Z", "1.200000001"],
    ]);
    expect(await spendBetween(t.db, user.id, new Date("2026-11-01Z"), new Date("2026-11-02Z"))).toBe(
      "0.200000001",
    );
    const all = await spendByUserSince(t.db, new Date("2026-11-01Z"));
    expect(all.find((s) => s.user_id === user.id)?.spent).toBe("1.200000001");
  });

  it("fires an alert once per threshold and period, and tracks its webhook delivery", async () => {
    const user = await createUser(t.db, { email: "alerts@example.com" });
    const now = new Date("2026-11-10T00:00:00Z");
    const input = {
      userId: user.id,
      period: "2026-11",
      thresholdPercent: 50,
      limitUsd: "10",
      spentUsd: "5",
      mode: "hard",
      webhookUrl: "http://127.0.0.1:1/hook",
      now,
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => insertAlertOnce(t.db, input)));
    expect(results.filter(Boolean)).toHaveLength(1);
    await insertAlertOnce(t.db, { ...input, thresholdPercent: 80, webhookUrl: null });
    const alerts = await listAlerts(t.db, user.id, "2026-11");
    expect(alerts.map((a) => [a.threshold_percent, a.webhook_status])).toEqual([
      [50, "pending"],
      [80, "none"],
    ]);

    const claimed = await claimDueWebhooks(t.db, now, new Date(now.getTime() + 60_000), 10);
    expect(claimed.map((a) => [a.threshold_percent, a.webhook_attempts])).toEqual([[50, 1]]);
    // Leased: a second claimer gets nothing until the lease runs out.
    expect(await claimDueWebhooks(t.db, now, new Date(now.getTime() + 60_000), 10)).toEqual([]);
    const id = claimed[0]!.id;
    await recordWebhookFailure(t.db, id, { status: 500, error: "HTTP 500", retryAt: now });
    const again = await claimDueWebhooks(t.db, now, new Date(now.getTime() + 60_000), 10);
    expect(again.map((a) => a.webhook_attempts)).toEqual([2]);
    await recordWebhookDelivered(t.db, id, 204, now);
    const [delivered] = await listAlerts(t.db, user.id, "2026-11");
    expect(delivered).toMatchObject({
      webhook_status: "delivered",
      webhook_attempts: 2,
      webhook_last_status: 204,
    });
  });
});
