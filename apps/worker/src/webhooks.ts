import {
  type AppConfig,
  createEgressGuard,
  createLimitsFor,
  createSecretBox,
  type DeliveryOptions,
  deliverDueWebhooks,
  type Logger,
  openCountersRedis,
  parseEncryptionKey,
  reconcileBudgets,
  type SecretBox,
} from "@llmg/api";
import { Redis } from "ioredis";
import type { JobDefinition } from "./jobs";

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Webhook secrets are sealed with the gateway's key, so the worker needs the same one. */
function secretBox(config: AppConfig): SecretBox | undefined {
  return config.LLMG_ENCRYPTION_KEY
    ? createSecretBox(parseEncryptionKey(config.LLMG_ENCRYPTION_KEY))
    : undefined;
}

export interface BudgetJobOptions {
  /** Retry schedule and HTTP settings of webhook deliveries (tests shorten them). */
  delivery?: Pick<DeliveryOptions, "maxAttempts" | "backoffMs" | "timeoutMs" | "egress">;
  webhooksEveryMs?: number;
  reconcileEveryMs?: number;
}

/**
 * The budget jobs. Webhook delivery state (attempts, backoff, outcome) is kept in
 * budget_alerts rather than in BullMQ jobs: the same processor then runs in embedded mode,
 * several workers share the work (SKIP LOCKED), and pending alerts survive a Redis flush. The
 * scheduled job polls for due deliveries; BullMQ's own retries cover a processor crash.
 */
export function budgetJobs(options: BudgetJobOptions = {}): JobDefinition[] {
  let secrets: SecretBox | undefined | null = null;
  let egress: ReturnType<typeof createEgressGuard> | undefined;
  return [
    {
      name: "budget-webhooks",
      everyMs: options.webhooksEveryMs ?? 5_000,
      run: (services) => {
        if (secrets === null) secrets = secretBox(services.config);
        // The same LLMG_EGRESS_ALLOW as the gateway that accepted the webhook URLs.
        egress ??= createEgressGuard(services.config);
        return deliverDueWebhooks({ db: services.db, secrets, egress, ...options.delivery });
      },
    },
    {
      name: "budget-reconcile",
      everyMs: options.reconcileEveryMs ?? 300_000,
      run: async (services) => {
        const { config } = services;
        if (!config.REDIS_URL) throw new Error("budget-reconcile needs REDIS_URL");
        // One short-lived connection per run (every few minutes): the counters' Redis may differ
        // from the queue's connection settings (BullMQ needs maxRetriesPerRequest: null).
        const redis = new Redis(config.REDIS_URL, {
          maxRetriesPerRequest: 2,
          connectTimeout: 5_000,
          commandTimeout: 5_000,
        });
        const counters = openCountersRedis(config, redis, () => {});
        try {
          const limits = createLimitsFor({ db: services.db, config, logger: silent, redis: counters.client });
          return await reconcileBudgets({ db: services.db, limits });
        } finally {
          await counters.close();
          await redis.quit().catch(() => redis.disconnect());
        }
      },
    },
  ];
}
