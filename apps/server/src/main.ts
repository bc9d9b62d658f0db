import { ConfigError, loadConfig } from "@llmg/api";
import { closeAllPools } from "@llmg/core";
import { startGateway } from "./gateway";
import { createLogger, flushLogs } from "./logger";

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const gateway = await startGateway({ config, logger }).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  });
  const mode = config.DATABASE_URL
    ? "production (PostgreSQL)"
    : `embedded (PGlite in ${config.LLMG_DATA_DIR})`;
  const lines = [
    "",
    `  llmg gateway listening on ${gateway.url}  [${mode}${config.REDIS_URL ? " + Redis" : ""}]`,
    `  API reference:  ${gateway.url}/docs`,
    `  OpenAPI:        ${gateway.url}/openapi.json`,
  ];
  // Never in production: there the key must come from LLMG_ADMIN_KEY (see secrets.ts).
  if (gateway.generatedAdminKey && config.NODE_ENV !== "production") {
    lines.push(
      "",
      "  ================================================================================",
      "  ADMIN KEY (shown once, only its hash is stored; set LLMG_ADMIN_KEY to choose one):",
      `    ${gateway.generatedAdminKey}`,
      "  ================================================================================",
    );
  }
  process.stdout.write(`${lines.join("\n")}\n\n`);
  // Start-up warnings should not wait for the log buffer to fill.
  logger.flush();

  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down: draining in-flight requests");
    gateway
      .close()
      .then(() => closeAllPools())
      .then(() => flushLogs(logger))
      .then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(`llmg failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
