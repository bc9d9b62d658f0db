import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deliverDueWebhooks, reconcileBudgets, SIGNATURE_HEADER, verifyWebhookSignature } from "@llmg/api";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  closeReplicas,
  costOfCall,
  exactUsage,
  flushPrefix,
  startReplicas,
  testPrefix,
  times,
  userWithCredential,
} from "./budget-fixtures";
import { call, type TestGateway } from "./harness";

const MAX_TOKENS = 10;
const production = testRedisUrl() !== null && testBackends().includes("postgres");
const setups = [
  ...(production
    ? [{ name: "two replicas sharing Redis", kind: "postgres" as const, replicas: 2 as const, redis: true }]
    : []),
  { name: "embedded mode", kind: "pglite" as const, replicas: 1 as const, redis: false },
];

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real webhook receiver: /ok answers 204, /fail 500, /flaky 500 once then 204. */
async function startReceiver() {
  const received: Received[] = [];
  let flaky = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body });
      const failing = path.startsWith("/fail") || (path.startsWith("/flaky") && flaky++ === 0);
      res.writeHead(failing ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(setups)("budget alerts and webhooks: $name", (setup) => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const prefix = testPrefix();
  const at = (i: number) => replicas[i % replicas.length]!;
  const alertsOf = (userId: string) =>
    at(0)
      .database.db.selectFrom("budget_alerts")
      .selectAll()
      .where("user_id", "=", userId)
      .orderBy("threshold_percent")
      .execute();
  const activity = (userId: string, action: string) =>
    at(0)
      .database.db.selectFrom("activity_log")
      .selectAll()
      .where("user_id", "=", userId)
      .where("action", "=", action)
      .execute();
  const deliver = (now: () => number = Date.now) =>
    deliverDueWebhooks({
      db: at(0).database.db,
      secrets: at(0).gateway.services.secrets,
      now,
      maxAttempts: 3,
      backoffMs: 1_000,
      egress: at(0).gateway.services.egress,
    });

  beforeAll(async () => {
    receiver = await startReceiver();
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-alerts" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas(setup.kind, setup.replicas, fake, {
      redis: setup.redis,
      prefix,
      // The receiver runs on this machine: the operator allows it, as for a local service.
      env: { LLMG_EGRESS_ALLOW: new URL(receiver.url).host },
    });
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    await receiver?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  it("fires each threshold exactly once under concurrent crossing and delivers signed webhooks", async () => {
    const cost = costOfCall(at(0), MAX_TOKENS);
    const { user, key } = await userWithCredential(at(0), fake, { monthly_budget_usd: times(cost, 10) });
    const put = await call(`${at(0).url}/api/budget`, {
      key,
      method: "PUT",
      body: { webhook_url: `${receiver.url}/ok/${user.id}` },
    });
    expect(put.status).toBe(200);
    const secret = put.body.data.webhook_secret as string;
    expect(secret).toMatch(/^whsec_/);

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(at(i), key, MAX_TOKENS)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);

    const alerts = await alertsOf(user.id);
    expect(alerts.map((a) => [a.threshold_percent, a.webhook_status])).toEqual([
      [50, "pending"],
      [80, "pending"],
      [100, "pending"],
    ]);
    expect(await activity(user.id, "budget.alert")).toHaveLength(3);
    const shown = (await call(`${at(1).url}/api/budget`, { key })).body.data;
    expect(shown.alerts.map((a: { threshold_percent: number }) => a.threshold_percent)).toEqual([
      50, 80, 100,
    ]);

    const report = await deliver();
    expect(report.delivered).toBeGreaterThanOrEqual(3);
    const mine = receiver.received.filter((r) => r.path === `/ok/${user.id}`);
    expect(mine).toHaveLength(3);
    for (const r of mine) {
      expect(verifyWebhookSignature(secret, r.headers[SIGNATURE_HEADER] as string, r.body)).toBe(true);
      expect(verifyWebhookSignature("whsec_wrong", r.headers[SIGNATURE_HEADER] as string, r.body)).toBe(
        false,
      );
      const payload = JSON.parse(r.body);
      expect(payload).toMatchObject({
        type: "budget.threshold_crossed",
        data: { user_id: user.id, limit_usd: times(cost, 10) },
      });
      expect(r.headers["x-llmg-delivery"]).toBe(payload.id);
    }
    expect((await deliver()).claimed).toBe(0);
    const after = (await call(`${at(0).url}/api/budget`, { key })).body.data;
    expect(after.alerts.map((a: { webhook: { status: string } }) => a.webhook.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
    ]);
  });

  it("retries a failing webhook with backoff and records the failure", async () => {
    const cost = costOfCall(at(0), MAX_TOKENS);
    const failing = await userWithCredential(at(0), fake, { monthly_budget_usd: cost });
    const flaky = await userWithCredential(at(0), fake, { monthly_budget_usd: cost });
    for (const [u, path] of [
      [failing, "fail"],
      [flaky, "flaky"],
    ] as const) {
      const put = await call(`${at(0).url}/api/budget`, {
        key: u.key,
        method: "PUT",
        body: { webhook_url: `${receiver.url}/${path}/${u.user.id}`, thresholds: [100] },
      });
      expect(put.status).toBe(200);
      expect((await chat(at(0), u.key, MAX_TOKENS)).status).toBe(200);
    }
    let now = Date.now();
    const clock = () => now;
    const attempts = async () => {
      await deliver(clock);
      return (await alertsOf(failing.user.id))[0]!;
    };
    expect(await attempts()).toMatchObject({
      webhook_status: "pending",
      webhook_attempts: 1,
      webhook_last_status: 500,
    });
    // Not due yet: nothing is sent before the backoff has passed.
    expect(await attempts()).toMatchObject({ webhook_attempts: 1 });
    now += 1_000;
    expect(await attempts()).toMatchObject({ webhook_status: "pending", webhook_attempts: 2 });
    now += 1_999; // the second delay is twice the first
    expect(await attempts()).toMatchObject({ webhook_attempts: 2 });
    now += 1;
    expect(await attempts()).toMatchObject({
      webhook_status: "failed",
      webhook_attempts: 3,
      webhook_last_status: 500,
      webhook_last_error: "HTTP 500",
    });
    expect(await activity(failing.user.id, "budget.webhook_failed")).toHaveLength(1);
    expect(receiver.received.filter((r) => r.path === `/fail/${failing.user.id}`)).toHaveLength(3);

    const [recovered] = await alertsOf(flaky.user.id);
    expect(recovered).toMatchObject({
      webhook_status: "delivered",
      webhook_attempts: 2,
      webhook_last_status: 204,
    });
    const shown = (await call(`${at(0).url}/api/budget`, { key: failing.key })).body.data;
    expect(shown.alerts[0].webhook).toMatchObject({ status: "failed", attempts: 3, last_error: "HTTP 500" });
  });

  it("soft mode never refuses a call but still alerts; a lowered limit's thresholds fire on reconciliation", async () => {
    const cost = costOfCall(at(0), MAX_TOKENS);
    const { user, key } = await userWithCredential(at(0), fake, { monthly_budget_usd: cost });
    await call(`${at(0).url}/api/budget`, { key, method: "PUT", body: { mode: "soft" } });
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => chat(at(i), key, MAX_TOKENS)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const budget = (await call(`${at(0).url}/api/budget`, { key })).body.data;
    expect(budget).toMatchObject({
      mode: "soft",
      status: "exceeded",
      spent_usd_exact: times(cost, 4),
      percent_used: 400,
    });
    expect((await alertsOf(user.id)).map((a) => a.threshold_percent)).toEqual([50, 80, 100]);

    const other = await userWithCredential(at(0), fake, { monthly_budget_usd: times(cost, 100) });
    expect((await chat(at(0), other.key, MAX_TOKENS)).status).toBe(200);
    await call(`${at(0).url}/api/budget`, {
      key: other.key,
      method: "PUT",
      body: { limit_usd: times(cost, 1) },
    });
    expect(await alertsOf(other.user.id)).toEqual([]);
    const report = await reconcileBudgets({ db: at(0).database.db, limits: at(0).gateway.services.limits });
    expect(report.alerts).toBeGreaterThanOrEqual(3);
    expect((await alertsOf(other.user.id)).map((a) => a.threshold_percent)).toEqual([50, 80, 100]);
    expect(
      (await reconcileBudgets({ db: at(0).database.db, limits: at(0).gateway.services.limits })).alerts,
    ).toBe(0);
  });
});
