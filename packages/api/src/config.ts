import { egressAllowErrors } from "@llmg/core";
import { z } from "zod";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const url = (protocols: string[]) =>
  optionalString.refine(
    (v) => v === undefined || protocols.some((p) => v.startsWith(`${p}://`)),
    `must be a URL starting with ${protocols.map((p) => `${p}://`).join(" or ")}`,
  );

export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: url(["postgres", "postgresql"]),
  REDIS_URL: url(["redis", "rediss"]),
  LLMG_DATA_DIR: z.string().min(1).default("./.llmg"),
  /** The built web dashboard served at / (default: apps/web/dist of this checkout). */
  LLMG_WEB_DIR: optionalString,
  LLMG_ADMIN_KEY: optionalString.refine(
    (v) => v === undefined || v.length >= 32,
    "must be at least 32 characters (or unset to have one generated)",
  ),
  LLMG_ENCRYPTION_KEY: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Largest accepted request body, in bytes. */
  LLMG_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /**
   * Life of a browser session (POST /api/session), from sign-in; its cookie's Max-Age. Between
   * one second and 30 days; default 12 hours.
   */
  LLMG_SESSION_TTL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(30 * 86_400_000)
    .default(12 * 3_600_000),
  /** How long a replica trusts a cached API key; bounds how late a revocation elsewhere takes effect. */
  LLMG_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** Deployment-wide provider base URLs (a proxy, a fake); a credential's own base_url wins. */
  LLMG_OPENAI_BASE_URL: url(["http", "https"]),
  LLMG_ANTHROPIC_BASE_URL: url(["http", "https"]),
  LLMG_GOOGLE_BASE_URL: url(["http", "https"]),
  LLMG_DEEPSEEK_BASE_URL: url(["http", "https"]),
  LLMG_MISTRAL_BASE_URL: url(["http", "https"]),
  LLMG_PROVIDER_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Whole-call limit for a provider request (a long generation can take minutes). */
  LLMG_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(300_000),
  LLMG_PROVIDER_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** Store prompt and response bodies with each usage row (off: only counts and costs are kept). */
  LLMG_STORE_BODIES: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /**
   * When a chat call's usage row counts as written. durable (default): PostgreSQL has flushed it
   * to its WAL on disk. fast: PostgreSQL has committed it (every reader sees it, an llmg crash or
   * restart loses nothing) but flushes the WAL within ~3 × wal_writer_delay, so a crash of the
   * PostgreSQL server itself can lose the last fraction of a second of rows — for that, the
   * disk flush leaves every call's critical path (about 0.8 ms on the benchmark machine).
   */
  LLMG_USAGE_COMMIT: z.enum(["durable", "fast"]).default("durable"),
  /** JSON file in LiteLLM's price-map format merged over the built-in prices at start. */
  LLMG_PRICING_FILE: optionalString,
  /** Activity-log entries older than this are purged by the retention job. */
  LLMG_ACTIVITY_RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
  /** Admit chat calls without budget/rate checks when Redis fails (default: 503 limits_unavailable). */
  LLMG_LIMITS_FAIL_OPEN: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /**
   * How long a budget reservation outlives a process that died mid-call. Unset: the longest a
   * call may take, LLMG_PROVIDER_TIMEOUT_MS × (LLMG_PROVIDER_MAX_RETRIES + 1), plus a minute.
   */
  LLMG_RESERVATION_TTL_MS: z.coerce.number().int().min(1000).optional(),
  /**
   * Budget and rate counters on a Redis Cluster instead of REDIS_URL's Redis: comma-separated
   * host:port seed nodes. Every admission's keys share one hash tag (see limits/home.ts); a user
   * may then belong to one team only. Queues and caches stay on REDIS_URL.
   */
  LLMG_COUNTERS_REDIS_CLUSTER: optionalString
    .superRefine((value, ctx) => {
      for (const node of value?.split(",") ?? []) {
        if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(node.trim()))
          ctx.addIssue({ code: "custom", message: `"${node.trim()}" is not host:port` });
      }
    })
    .transform((value) =>
      value?.split(",").map((node) => {
        const [host = "", port = ""] = node.trim().split(":");
        return { host, port: Number(port) };
      }),
    ),
  /** Prefix of every Redis key of the limits (several deployments, or test files, may share a Redis). */
  LLMG_REDIS_PREFIX: z.string().min(1).max(100).default("llmg:"),
  /**
   * Hosts a user-set URL (credential base_url, budget webhook) may reach although they are
   * internal: comma-separated host names, host:port pairs or CIDRs (a local model server).
   */
  LLMG_EGRESS_ALLOW: optionalString.superRefine((value, ctx) => {
    for (const problem of egressAllowErrors(value)) ctx.addIssue({ code: "custom", message: problem });
  }),
  /** Largest provider response body read, in bytes; a larger one ends the call with a provider error. */
  LLMG_PROVIDER_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  /** Absolute deadline of a streamed call, however steadily the provider keeps sending. */
  LLMG_PROVIDER_STREAM_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30 * 60_000),
  /** On SIGTERM, how long calls in flight may still run before they are aborted (and recorded). */
  LLMG_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Usage rows waiting for their INSERT; past it new calls wait, then fail with 503. */
  LLMG_USAGE_QUEUE_MAX: z.coerce.number().int().min(100).default(10_000),
  /**
   * Largest total a streamed answer may send, in bytes (all its events together; any single
   * event is capped by LLMG_PROVIDER_MAX_RESPONSE_BYTES); past it the call ends with a provider error.
   */
  LLMG_PROVIDER_MAX_STREAM_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  /**
   * Invalid API keys one client address may present per minute (per replica) before its calls
   * get 429 for the rest of the minute; 0 turns the throttle off.
   */
  LLMG_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  /**
   * Reverse proxies in front of the gateway (load balancer = 1): the client address is then
   * taken that many hops back in X-Forwarded-For. 0 (default): the TCP peer is the client.
   */
  LLMG_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** PostgreSQL: longest wait for a connection before a request fails with 503 database_unavailable. */
  LLMG_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** PostgreSQL: statements running longer are cancelled (0: no limit). Migrations are exempt. */
  LLMG_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * Consecutive failures of one provider credential (429 after retries, 401/403, 5xx, 529,
   * timeouts) that open its circuit: the credential is skipped until the cool-down ends.
   */
  LLMG_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** How long an open circuit stays open before one probe call is let through (half-open). */
  LLMG_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).max(86_400_000).default(30_000),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment, reporting every bad variable at once, one line each. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
}
