import { configSchema, type RollupResult } from "@llmg/api";
import { createUser, insertGeneratedRequests, readRollupState } from "@llmg/db";
import { openTestDatabase, type TestDatabase, testBackends, testRedisUrl } from "@llmg/db/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOBS } from "../src/jobs";
import { type RunningWorker, startWorker } from "../src/worker";

const redisUrl = testRedisUrl();
const kind = testBackends()[0] ?? "pglite";

async function sums(db: TestDatabase["db"], table: "requests" | "usage_rollups") {
  const count = table === "requests" ? sql`count(*)` : sql`sum(requests)`;
  const cost = table === "requests" ? sql`sum(total_cost)` : sql`sum(cost)`;
  const where = table === "requests" ? sql`` : sql`where granularity = 'day'`;
  const { rows } = await sql<{ n: number; cost: string }>`
    select coalesce(${count}, 0)::int8 as n, coalesce(${cost}, 0)::numeric(30, 12)::text as cost
    from ${sql.table(table)} ${where}`.execute(db);
  return rows[0];
}

describe.skipIf(!redisUrl)(`usage-rollup job through BullMQ on ${kind}`, () => {
  let database: TestDatabase;
  const queueName = `llmg-rollups-test-${process.pid}-${Date.now()}`;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
    const connection = new Redis(redisUrl!);
    const q = new Queue(queueName, { connection });
    await q.obliterate({ force: true });
    await q.close();
    await connection.quit();
  });

  it("runs on its schedule, on two workers at once, and retries a failed run", async () => {
    const db = database.db;
    const user = await createUser(db, { email: "worker@example.com" });
    const now = Date.now();
    await insertGeneratedRequests(db, {
      userId: user.id,
      count: 800,
      from: new Date(now - 5 * 86_400_000),
      to: new Date(now),
      seed: 51,
    });
    const job = JOBS.find((j) => j.name === "usage-rollup");
    if (!job) throw new Error("no usage-rollup job");
    expect(job.everyMs).toBe(60_000);

    const config = configSchema.parse({});
    const logger = pino({ level: "silent" });
    // The first attempt fails, as a dropped connection would; BullMQ retries it.
    let attempts = 0;
    const flaky = {
      ...job,
      run: (services: Parameters<typeof job.run>[0]) => {
        attempts += 1;
        if (attempts === 1) return Promise.reject(new Error("connection reset"));
        return job.run(services);
      },
    };
    const workers: RunningWorker[] = [];
    for (let i = 0; i < 2; i++) {
      workers.push(
        await startWorker({
          services: { db, config, logger },
          redisUrl: redisUrl!,
          queueName,
          jobs: [flaky],
          everyMs: { "usage-rollup": 300 },
        }),
      );
    }
    // Listeners would miss the runs made while the second worker started: poll the outcome.
    const until = async (ok: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 50));
    };
    const caughtUp = async () =>
      JSON.stringify(await sums(db, "usage_rollups")) === JSON.stringify(await sums(db, "requests"));
    const retriedJob = async () => {
      const completed = await workers[0]!.queue.getCompleted();
      return completed.find((j) => j.attemptsMade >= 2);
    };
    await until(async () => (await retriedJob()) !== undefined && attempts >= 3 && (await caughtUp()));
    // The job whose first attempt failed completed on a later one. Its result may be a run of
    // its own or "skipped": with two workers on a 300 ms schedule the other one can hold the
    // rollup lock at that moment, and a scheduled run then leaves the work to it (the sums
    // below show nothing was lost or counted twice). It failed in CI once when this asserted
    // "not skipped".
    const retried = await retriedJob();
    // retriedJob() looks among the completed jobs: this one failed first, then completed.
    expect((retried?.stacktrace ?? []).join("\n")).toContain("connection reset");
    const completed = await workers[0]!.queue.getCompleted();
    expect(completed.map((j) => j.returnvalue as RollupResult)).toContainEqual(
      expect.objectContaining({ mode: "rebuild" }),
    );
    expect(await sums(db, "usage_rollups")).toEqual(await sums(db, "requests"));

    const schedulers = await workers[0]!.queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(["usage-rollup"]);

    // Late rows are picked up by the next scheduled run.
    await insertGeneratedRequests(db, {
      userId: user.id,
      count: 25,
      from: new Date(now - 4 * 86_400_000),
      to: new Date(now - 3 * 86_400_000),
      seed: 52,
      idPrefix: "late",
    });
    await until(caughtUp);
    expect(await sums(db, "usage_rollups")).toEqual(await sums(db, "requests"));
    expect((await readRollupState(db))?.last_error).toBeNull();

    await Promise.all(workers.map((w) => w.close()));
    expect(workers.every((w) => !w.worker.isRunning())).toBe(true);
  });
});
