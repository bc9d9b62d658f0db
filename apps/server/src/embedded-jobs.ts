import {
  deliverDueWebhooks,
  reconcileBudgets,
  runActivityRetention,
  runUsageRollup,
  type Services,
} from "@llmg/api";

const HOUR_MS = 3_600_000;
const WEBHOOK_POLL_MS = 5_000;
const BUDGET_RECONCILE_MS = 300_000;

/**
 * Embedded mode has no Redis and so no BullMQ worker: the same processors run here on timers.
 * Each processor is idempotent, which is what makes running it from a timer safe.
 */
export function startEmbeddedJobs(services: Services): { stop(): void } {
  const every = (job: string, ms: number, run: () => Promise<unknown>) => {
    let running = false;
    const timer = setInterval(() => {
      // A slow run (a webhook endpoint timing out) must not overlap the next one.
      if (running) return;
      running = true;
      run()
        .then((r) => services.logger.debug({ job, result: r }, "job done"))
        .catch((err) => services.logger.warn({ job, err: (err as Error).message }, "job failed"))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    return timer;
  };
  const timers = [
    every("activity-retention", HOUR_MS, () =>
      runActivityRetention(services.db, services.config.LLMG_ACTIVITY_RETENTION_DAYS),
    ),
    // Webhook retries and their backoff live in budget_alerts; this only polls for due ones.
    every("budget-webhooks", WEBHOOK_POLL_MS, () =>
      deliverDueWebhooks({
        db: services.db,
        secrets: services.secrets,
        logger: services.logger,
        egress: services.egress,
      }),
    ),
    every("budget-reconcile", BUDGET_RECONCILE_MS, () => reconcileBudgets(services)),
    every("usage-rollup", 60_000, () => runUsageRollup(services.db)),
  ];
  return {
    stop: () => {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
