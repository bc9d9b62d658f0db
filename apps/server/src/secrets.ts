import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AppConfig, ConfigError, parseEncryptionKey } from "@llmg/api";
import type { AppLogger } from "./logger";

/**
 * The key that encrypts provider credentials. Production must be given one (a generated key on
 * one replica's disk would make every other replica unable to read the credentials). Elsewhere
 * a missing key is generated once into the data dir, readable by this user only.
 */
export function resolveEncryptionKey(config: AppConfig, logger: AppLogger): Buffer {
  if (config.LLMG_ENCRYPTION_KEY) {
    try {
      return parseEncryptionKey(config.LLMG_ENCRYPTION_KEY);
    } catch (error) {
      throw new ConfigError([`LLMG_ENCRYPTION_KEY: ${(error as Error).message}`]);
    }
  }
  if (config.NODE_ENV === "production") {
    throw new ConfigError([
      "LLMG_ENCRYPTION_KEY: required when NODE_ENV=production (32 bytes, e.g. `openssl rand -base64 32`)",
    ]);
  }
  const path = join(config.LLMG_DATA_DIR, "encryption.key");
  if (existsSync(path)) return parseEncryptionKey(readFileSync(path, "utf8"));
  mkdirSync(config.LLMG_DATA_DIR, { recursive: true, mode: 0o700 });
  const key = parseEncryptionKey(randomKey());
  writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  logger.warn(
    { path },
    "LLMG_ENCRYPTION_KEY is not set: generated one in the data dir. Back it up; without it stored provider keys cannot be read.",
  );
  return key;
}

function randomKey(): string {
  return globalThis.crypto.getRandomValues(Buffer.alloc(32)).toString("base64");
}

/**
 * Production must be given its admin key. A generated one would be printed to the log of one
 * replica among many (logs that are shipped and kept), and `pnpm start` there has no one
 * watching the banner; refusing to start says where the key belongs instead.
 */
export function requireAdminKeyInProduction(config: AppConfig): void {
  if (config.NODE_ENV === "production" && !config.LLMG_ADMIN_KEY) {
    throw new ConfigError([
      "LLMG_ADMIN_KEY: required when NODE_ENV=production (at least 32 characters, e.g. `llmg_admin_$(openssl rand -hex 24)`); only its hash is kept",
    ]);
  }
}
