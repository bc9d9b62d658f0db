import { ConfigError, loadConfig } from "@llmg/api";
import { migrateToLatest, openDatabase } from "@llmg/db";
import pino from "pino";
import { startWorker } from "./worker";

async function main() {
  const config = loadConfig();
  if (!config.REDIS_URL || !config.DATABASE_URL) {
    throw new ConfigError([
      "the worker needs REDIS_URL and DATABASE_URL (embedded mode runs its jobs inside the server instead)",
    ]);
  }
  const logger = pino({ level: config.LOG_LEVEL, base: { service: "llmg-worker" } });
  // Migrations may run longer than any job's statement may.
  const migrating = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    poolSize: 1,
    statementTimeoutMs: 0,
  });
  await migrateToLatest(migrating.db).finally(() => migrating.close());
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    poolSize: 5,
    connectTimeoutMs: config.LLMG_DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.LLMG_DB_STATEMENT_TIMEOUT_MS,
  });
  const running = await startWorker({
    services: { db: database.db, config, logger },
    redisUrl: config.REDIS_URL,
  });
  logger.info({ queue: running.queue.name }, "worker started");

  const shutdown = (signal: string) => {
    logger.info({ signal }, "worker shutting down");
    running
      .close()
      .then(() => database.close())
      .then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, "worker shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(`llmg worker failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
