import type { Catalog, EgressGuard } from "@llmg/core";
import type { Database, DbKind } from "@llmg/db";
import type Redis from "ioredis";
import type { Kysely } from "kysely";
import type { Authenticator } from "./auth/authenticator";
import type { ResponseCacheStore } from "./cache/store";
import type { InflightCalls } from "./chat/inflight";
import type { Limiter } from "./chat/limits";
import type { UsageRecorder } from "./chat/usage-recorder";
import type { AppConfig } from "./config";
import type { SecretBox } from "./crypto/secret-box";
import type { Limits } from "./limits/limiter";
import type { CredentialResolver } from "./services/credential-resolver";

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
  /** Price catalog: the built-in table with LLMG_PRICING_FILE merged over it. */
  catalog: Catalog;
  /** Encrypts provider credentials at rest. */
  secrets: SecretBox;
  /** Decrypted provider credentials for the chat path, cached briefly. */
  credentials: CredentialResolver;
  /** Budgets and rate limits: admits or refuses each chat call before the provider is called. */
  limiter: Limiter;
  /** Budgets and rate limits as the budget endpoints and jobs see them (usually the same object as limiter). */
  limits: Limits;
  /** Durable usage rows (group commit). */
  usage: UsageRecorder;
  /** Present in production mode (REDIS_URL); embedded mode keeps counters in process. */
  redis?: Redis;
  /** Where user-set URLs (credential base_url, budget webhooks) may connect: LLMG_EGRESS_ALLOW. */
  egress: EgressGuard;
  /** Chat calls in flight, for a graceful shutdown (absent: calls are not tracked). */
  inflight?: InflightCalls;
  /** The response cache: Redis in production, an in-process LRU when embedded (absent: one is made). */
  responseCache?: ResponseCacheStore;
}
