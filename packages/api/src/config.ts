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
  /** How long a replica trusts a cached API key; bounds how late a revocation elsewhere takes effect. */
  LLMG_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** Activity-log entries older than this are purged by the retention job. */
  LLMG_ACTIVITY_RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
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
