import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  configSchema,
  createSecretBox,
  fireAlerts,
  generateWebhookSecret,
  SIGNATURE_HEADER,
  toSettings,
  usdToNano,
  verifyWebhookSignature,
  webhookSecretAad,
} from "@llmg/api";
import { createUser, findBudgetSettings, insertRequests, upsertBudget } from "@llmg/db";
import { openTestDatabase, type TestDatabase, testRedisUrl } from "@llmg/db/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetJobs } from "../src/webhooks";
import { startWorker } from "../src/worker";

const redisUrl = testRedisUrl();
const encryptionKey = randomBytes(32);
const prefix = `llmg-test:${randomBytes(6).toString("hex")}:`;
const config = configSchema.parse({
  LLMG_ENCRYPTION_KEY: encryptionKey.toString("base64"),
  REDIS_URL: redisUrl ?? undefined,
  LLMG_REDIS_PREFIX: prefix,
  // The receivers run on this machine: allowed, as an operator would allow a local service.
  LLMG_EGRESS_ALLOW: "127.0.0.1",
});

describe.skipIf(!redisUrl)("budget jobs on the BullMQ worker", () => {
  let database: TestDatabase;
  let server: Server;
  let hookUrl: string;
  const received: { path: string; signature: string; body: string }[] = [];
  let flakyCalls = 0;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const path = req.url ?? "/";
        received.push({ path, signature: String(req.headers[SIGNATURE_HEADER]), body });
        const fail = path === "/fail" || (path === "/flaky" && flakyCalls++ === 0);
        res.writeHead(fail ? 503 : 200).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await database?.close();
    await new Promise((r) => server?.close(r));
    const redis = new Redis(redisUrl!);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  /** A user with a 10 USD budget whose webhook (with a sealed secret) points at `path`. */
  async function userWithWebhook(path: string) {
    const db = database.db;
    const user = await createUser(db, {
      email: `${randomBytes(4).toString("hex")}@example.com`,
      monthlyBudgetUsd: "10",
    });
    const secret = generateWebhookSecret();
    const sealed = createSecretBox(encryptionKey).seal(secret, webhookSecretAad(user.id));
    await upsertBudget(db, user.id, { webhookUrl: `${hookUrl}${path}`, webhookSecret: sealed });
    const settings = toSettings((await findBudgetSettings(db, user.id))!);
    const month = new Date().toISOString().slice(0, 7);
    await fireAlerts(db, {
      settings,
      period: month,
      thresholds: [50],
      spentNano: usdToNano("5", "up"),
      now: new Date(),
    });
    return { user, secret };
  }

  it("delivers alert webhooks from the queue, retrying with backoff, and records the outcome", async () => {
    const flaky = await userWithWebhook("/flaky");
    const failing = await userWithWebhook("/fail");
    const queueName = `llmg-test-webhooks-${randomBytes(4).toString("hex")}`;
    const jobs = budgetJobs({ webhooksEveryMs: 100, delivery: { backoffMs: 100, maxAttempts: 3 } }).filter(
      (j) => j.name === "budget-webhooks",
    );
    const running = await startWorker({
      services: { db: database.db, config, logger: pino({ level: "silent" }) },
      redisUrl: redisUrl!,
      queueName,
      jobs,
    });
    const state = async (userId: string) =>
      database.db
        .selectFrom("budget_alerts")
        .selectAll()
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
    try {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const [a, b] = [await state(flaky.user.id), await state(failing.user.id)];
        if (a.webhook_status !== "pending" && b.webhook_status !== "pending") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await state(flaky.user.id)).toMatchObject({
        webhook_status: "delivered",
        webhook_attempts: 2,
        webhook_last_status: 200,
      });
      expect(await state(failing.user.id)).toMatchObject({
        webhook_status: "failed",
        webhook_attempts: 3,
        webhook_last_status: 503,
        webhook_last_error: "HTTP 503",
      });
      const delivered = received.filter((r) => r.path === "/flaky");
      expect(delivered).toHaveLength(2);
      for (const r of delivered) expect(verifyWebhookSignature(flaky.secret, r.signature, r.body)).toBe(true);
      // Every attempt sends the same event: receivers can de-duplicate by its id.
      expect(new Set(delivered.map((r) => JSON.parse(r.body).id)).size).toBe(1);
      expect(received.filter((r) => r.path === "/fail")).toHaveLength(3);
    } finally {
      await running.close();
      const connection = new Redis(redisUrl!, { maxRetriesPerRequest: null });
      const q = new Queue(queueName, { connection });
      await q.obliterate({ force: true });
      await q.close();
      await connection.quit();
    }
  });

  it("reconciles the Redis month counters from the recorded spend", async () => {
    const db = database.db;
    const user = await createUser(db, { email: "reconcile@example.com" });
    await insertRequests(db, [
      {
        id: "req_reconcile",
        user_id: user.id,
        provider: "openai",
        model: "gpt-4o-mini",
        endpoint: "api",
        status: "success",
        http_status: 200,
        latency_ms: 1,
        total_cost: "0.0123",
      },
    ]);
    const reconcile = budgetJobs().find((j) => j.name === "budget-reconcile")!;
    const report = (await reconcile.run({ db, config })) as { users: number; seeded: number };
    expect(report.seeded).toBeGreaterThanOrEqual(1);
    const redis = new Redis(redisUrl!);
    const month = new Date().toISOString().slice(0, 7);
    expect(await redis.hget(`${prefix}{${user.id}}:spend:${month}`, "spent")).toBe("12300000");
    await redis.quit();
  });
});
