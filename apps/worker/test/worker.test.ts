import { configSchema } from "@llmg/api";
import { recordActivity } from "@llmg/db";
import { openTestDatabase, type TestDatabase, testRedisUrl } from "@llmg/db/testing";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOBS } from "../src/jobs";
import { startWorker } from "../src/worker";

const redisUrl = testRedisUrl();

describe.skipIf(!redisUrl)("BullMQ worker against real Redis", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await database?.close();
  });

  it("runs the scheduled activity-retention job and shuts down cleanly", async () => {
    const db = database.db;
    const old = new Date(Date.now() - 400 * 86_400_000);
    await recordActivity(db, { userId: null, actor: "system", action: "old.event" });
    await db.updateTable("activity_log").set({ created_at: old }).execute();
    await recordActivity(db, { userId: null, actor: "system", action: "recent.event" });

    const queueName = `llmg-test-${process.pid}-${Date.now()}`;
    const config = configSchema.parse({ LLMG_ACTIVITY_RETENTION_DAYS: "365" });
    const running = await startWorker({
      services: { db, config, logger: pino({ level: "silent" }) },
      redisUrl: redisUrl!,
      queueName,
      jobs: JOBS.filter((j) => j.name === "activity-retention"),
      everyMs: { "activity-retention": 200 },
    });
    const completed = new Promise<unknown>((resolve) =>
      running.worker.once("completed", (_job, result) => resolve(result)),
    );
    const result = (await completed) as { deleted: number };
    expect(result.deleted).toBe(1);
    const left = await db.selectFrom("activity_log").select("action").execute();
    expect(left.map((r) => r.action)).toEqual(["recent.event"]);

    const schedulers = await running.queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(["activity-retention"]);

    await running.close();
    expect(running.worker.isRunning()).toBe(false);

    // Leave nothing behind in the shared Redis.
    const redis = new Redis(redisUrl!);
    const { Queue } = await import("bullmq");
    const q = new Queue(queueName, { connection: redis });
    await q.obliterate({ force: true });
    await q.close();
    expect(await redis.keys(`bull:${queueName}:*`)).toEqual([]);
    await redis.quit();
  });
});
