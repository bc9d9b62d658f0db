import type { Database, DbKind } from "@llmg/db";
import type Redis from "ioredis";
import type { Kysely } from "kysely";
import type { Authenticator } from "./auth/authenticator";
import type { AppConfig } from "./config";

type LogFn = (objOrMsg: object | string, msg?: string) => void;

/** The subset of pino's logger the api package uses, so it does not depend on pino itself. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** Long-lived dependencies, built once at start and shared by every request. */
export interface Services {
  config: AppConfig;
  db: Kysely<Database>;
  dbKind: DbKind;
  auth: Authenticator;
  logger: Logger;
  /** Present in production mode (REDIS_URL); embedded mode keeps counters in process. */
  redis?: Redis;
}
