import { runActivityRetention, type Services } from "@llmg/api";

const HOUR_MS = 3_600_000;

/**
 * Embedded mode has no Redis and so no BullMQ worker: the same processors run here on timers.
 * Each processor is idempotent, which is what makes running it from a timer safe.
 */
export function startEmbeddedJobs(services: Services): { stop(): void } {
  const run = () => {
    runActivityRetention(services.db, services.config.LLMG_ACTIVITY_RETENTION_DAYS)
      .then((r) => services.logger.debug({ job: "activity-retention", ...r }, "job done"))
      .catch((err) =>
        services.logger.warn({ job: "activity-retention", err: (err as Error).message }, "job failed"),
      );
  };
  const timer = setInterval(run, HOUR_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
