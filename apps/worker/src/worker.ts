import type { Services } from "@llmg/api";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { JOBS, type JobDefinition } from "./jobs";

export interface StartWorkerOptions {
  services: Pick<Services, "db" | "config" | "logger">;
  redisUrl: string;
  /** Queue name; tests pass a unique one so parallel runs never share jobs. */
  queueName?: string;
  /** Override a job's interval (tests). */
  everyMs?: Partial<Record<string, number>>;
  jobs?: JobDefinition[];
  concurrency?: number;
}

export interface RunningWorker {
  queue: Queue;
  worker: Worker;
  close(): Promise<void>;
}

export const DEFAULT_QUEUE = "llmg-maintenance";

/**
 * Registers every job's schedule with upsertJobScheduler (idempotent, so every worker replica
 * can do it at boot without duplicating schedules) and processes the queue.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { services } = options;
  const jobs = options.jobs ?? JOBS;
  const queueName = options.queueName ?? DEFAULT_QUEUE;
  // BullMQ's blocking commands need maxRetriesPerRequest: null on the worker's connection.
  // No commandTimeout: the worker's blocking commands wait on purpose.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, connectTimeout: 5_000 });
  const queue = new Queue(queueName, { connection });
  for (const job of jobs) {
    await queue.upsertJobScheduler(
      job.name,
      { every: options.everyMs?.[job.name] ?? job.everyMs },
      {
        name: job.name,
        opts: {
          attempts: 3,
          backoff: { type: "exponential", delay: 1000 },
          removeOnComplete: 100,
          removeOnFail: 500,
        },
      },
    );
  }
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const worker = new Worker(
    queueName,
    async (job) => {
      const definition = byName.get(job.name);
      if (!definition) throw new Error(`unknown job ${job.name}`);
      return definition.run(services);
    },
    { connection, concurrency: options.concurrency ?? 1 },
  );
  worker.on("failed", (job, err) => services.logger.warn({ job: job?.name, err: err.message }, "job failed"));
  worker.on("completed", (job, result) => services.logger.debug({ job: job.name, result }, "job done"));
  worker.on("error", (err) => services.logger.warn({ err: err.message }, "worker error"));
  await worker.waitUntilReady();

  return {
    queue,
    worker,
    async close() {
      // Lets the running job finish, then releases the connection.
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
