import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  type AppConfig,
  createAuthenticator,
  createBreakers,
  createCredentialResolver,
  createEgressGuard,
  createInflightCalls,
  createLimitsFor,
  createMemoryBreakerStore,
  createMemoryCacheStore,
  createRedisBreakerStore,
  createRedisCacheStore,
  createSecretBox,
  createUsageRecorder,
  openCountersRedis,
  resolveAdminKey,
  type Services,
} from "@llmg/api";
import { type NameResolver, preloadTokenizer } from "@llmg/core";
import { type DbHandle, migrateToLatest, openDatabase } from "@llmg/db";
import type { Express } from "express";
import { Redis } from "ioredis";
import { createApp } from "./app";
import { loadCatalog } from "./catalog";
import { startEmbeddedJobs } from "./embedded-jobs";
import { createHttpServer } from "./http/server";
import { type AppLogger, createLogger } from "./logger";
import { requireAdminKeyInProduction, resolveEncryptionKey } from "./secrets";

export interface Gateway {
  url: string;
  port: number;
  app: Express;
  services: Services;
  /** The admin key, only when this start generated it (first start without LLMG_ADMIN_KEY). */
  generatedAdminKey?: string;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  config: AppConfig;
  logger?: AppLogger;
  /** Use this database instead of the configured one. */
  database?: DbHandle;
  /** Run the background processors on timers in this process (embedded mode does by default). */
  embeddedJobs?: boolean;
  /** Name resolution of the egress guard (tests answer from their own DNS server). */
  egressResolver?: NameResolver;
}

const LAST_USED_FLUSH_MS = 10_000;
const CREDENTIAL_CACHE_TTL_MS = 10_000;
const REDIS_CONNECT_TIMEOUT_MS = 5_000;
const REDIS_COMMAND_TIMEOUT_MS = 5_000;
// After the grace, aborted calls still write their rows: this bounds that wait.
const ABORT_SETTLE_MS = 10_000;
// Other requests still open when the grace is over (and the chat calls are done) get this long.
const CONNECTIONS_CLOSE_MS = 5_000;

/** Opens the database the configuration names: PostgreSQL, or PGlite in the data dir. */
export async function openConfiguredDatabase(config: AppConfig): Promise<DbHandle> {
  if (config.DATABASE_URL) {
    return openDatabase({
      databaseUrl: config.DATABASE_URL,
      connectTimeoutMs: config.LLMG_DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.LLMG_DB_STATEMENT_TIMEOUT_MS,
    });
  }
  const dataDir = join(config.LLMG_DATA_DIR, "pgdata");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return openDatabase({ dataDir });
}

/** Migrations may run longer than any request may: on PostgreSQL without the statement timeout. */
async function migrate(config: AppConfig, handle: DbHandle, configured: boolean): Promise<void> {
  if (!configured || !config.DATABASE_URL) {
    await migrateToLatest(handle.db);
    return;
  }
  const unbounded = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    poolSize: 1,
    statementTimeoutMs: 0,
  });
  try {
    await migrateToLatest(unbounded.db);
  } finally {
    await unbounded.close();
  }
}

/**
 * @param database an already open database (tests hand in their own); it is closed with the
 * services all the same.
 */
export async function openServices(
  config: AppConfig,
  logger: AppLogger,
  database?: DbHandle,
  egressResolver?: NameResolver,
) {
  // Configuration problems first, before anything is opened.
  requireAdminKeyInProduction(config);
  const secrets = createSecretBox(resolveEncryptionKey(config, logger));
  const catalog = loadCatalog(config);
  const handle = database ?? (await openConfiguredDatabase(config));
  await migrate(config, handle, database === undefined);
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, {
        lazyConnect: false,
        maxRetriesPerRequest: 2,
        enableOfflineQueue: true,
        // Nothing on this connection blocks: no reply within these bounds means Redis is in
        // trouble. An admission given up on is cancelled by the limiter (see limiter.ts).
        connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        // Commands issued in the same tick (the admissions and settles of concurrent calls) go out
        // in one write: on loopback TCP a socket write costs more than the command itself.
        enableAutoPipelining: true,
      })
    : undefined;
  redis?.on("error", (err) => logger.warn({ err: err.message }, "redis error"));
  const admin = await resolveAdminKey(handle.db, config.LLMG_ADMIN_KEY);
  const auth = createAuthenticator({
    db: handle.db,
    adminKeyHash: admin.hash,
    cacheTtlMs: config.LLMG_KEY_CACHE_TTL_MS,
    failuresPerMinute: config.LLMG_AUTH_FAILURES_PER_MINUTE,
  });
  // Redis-backed (shared by every replica) in production mode, in-process in embedded mode.
  // The counters may live on a Redis Cluster of their own (LLMG_COUNTERS_REDIS_CLUSTER).
  const counters = openCountersRedis(config, redis, (message) =>
    logger.warn({ err: message }, "counters redis cluster error"),
  );
  const limits = createLimitsFor({ db: handle.db, config, logger, redis: counters.client });
  const services: Services = {
    config,
    db: handle.db,
    dbKind: handle.kind,
    auth,
    logger,
    catalog,
    secrets,
    credentials: createCredentialResolver({
      db: handle.db,
      secrets,
      ttlMs: CREDENTIAL_CACHE_TTL_MS,
      // Circuit state shared by the replicas through Redis, in process when embedded.
      breakers: createBreakers({
        store: redis ? createRedisBreakerStore(redis, config.LLMG_REDIS_PREFIX) : createMemoryBreakerStore(),
        failures: config.LLMG_BREAKER_FAILURES,
        cooldownMs: config.LLMG_BREAKER_COOLDOWN_MS,
        logger,
      }),
    }),
    limiter: limits,
    limits,
    usage: createUsageRecorder(handle.db, {
      waitForFlush: config.LLMG_USAGE_COMMIT === "durable",
      maxQueue: config.LLMG_USAGE_QUEUE_MAX,
      logger,
    }),
    inflight: createInflightCalls(),
    // Shared by every replica through Redis in production; a bounded LRU in this process otherwise.
    responseCache: redis ? createRedisCacheStore(redis, config.LLMG_REDIS_PREFIX) : createMemoryCacheStore(),
    ...(redis ? { redis } : {}),
    egress: createEgressGuard(config, egressResolver ? { resolver: egressResolver } : {}),
  };
  const close = async () => {
    await services.usage.drain();
    await services.limits.flush();
    await auth.flushLastUsed().catch(() => {});
    await counters.close();
    if (redis) await redis.quit().catch(() => redis.disconnect());
    await handle.close();
  };
  return { services, close, generatedAdminKey: admin.generatedKey };
}

export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const opened = await openServices(config, logger, options.database, options.egressResolver);
  const { services } = opened;
  const app = createApp(services, logger);
  // Load the tokenizer now rather than in the first chat request's budget estimate.
  preloadTokenizer();

  const server = createHttpServer(app, services, logger);
  server.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  // Above the usual load balancer idle timeout, so the balancer closes idle sockets, not us.
  server.keepAliveTimeout = 65_000;

  const flushTimer = setInterval(() => {
    services.auth
      .flushLastUsed()
      .catch((err) => logger.warn({ err: (err as Error).message }, "last_used flush failed"));
  }, LAST_USED_FLUSH_MS);
  flushTimer.unref();
  const jobs = (options.embeddedJobs ?? !config.REDIS_URL) ? startEmbeddedJobs(services) : undefined;

  const { port } = server.address() as AddressInfo;
  const host = config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    port,
    app,
    services,
    ...(opened.generatedAdminKey ? { generatedAdminKey: opened.generatedAdminKey } : {}),
    close() {
      closing ??= (async () => {
        clearInterval(flushTimer);
        jobs?.stop();
        const inflight = services.inflight;
        const graceEnds = Date.now() + config.LLMG_SHUTDOWN_GRACE_MS;
        // Stop accepting; kept-alive connections close as soon as they are idle (and a request
        // arriving on one meanwhile is refused, see http/server.ts).
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const sweep = setInterval(() => server.closeIdleConnections(), 200);
        try {
          // Calls in flight get the grace; those still running then are aborted and record
          // their rows (status error, code shutdown, partial usage) before anything closes.
          const drained = await inflight?.drain(config.LLMG_SHUTDOWN_GRACE_MS, ABORT_SETTLE_MS);
          if (drained && drained.running > 0) logger.info({ ...drained }, "chat calls drained");
          if (drained && drained.abandoned > 0) {
            logger.error({ ...drained }, "chat calls still running after the shutdown grace");
          }
          let force: NodeJS.Timeout | undefined;
          const forced = new Promise<void>((resolve) => {
            // Other requests (REST, health) get what is left of the grace, and at least a moment.
            force = setTimeout(resolve, Math.max(graceEnds - Date.now(), CONNECTIONS_CLOSE_MS));
          });
          await Promise.race([closed, forced]);
          clearTimeout(force);
          server.closeAllConnections();
        } finally {
          clearInterval(sweep);
        }
        await opened.close();
      })();
      return closing;
    },
  };
}
