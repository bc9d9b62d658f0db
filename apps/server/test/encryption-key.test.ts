import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, configSchema } from "@llmg/api";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger";
import { resolveEncryptionKey } from "../src/secrets";

describe("the credential encryption key", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "llmg-key-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("is required in production", () => {
    const config = configSchema.parse({ NODE_ENV: "production", LLMG_DATA_DIR: dataDir });
    expect(() => resolveEncryptionKey(config, createLogger("silent"))).toThrow(ConfigError);
    expect(() => resolveEncryptionKey(config, createLogger("silent"))).toThrow(
      /LLMG_ENCRYPTION_KEY: required/,
    );
  });

  it("must be 32 bytes when given", () => {
    const config = configSchema.parse({ LLMG_ENCRYPTION_KEY: "dG9vIHNob3J0", LLMG_DATA_DIR: dataDir });
    expect(() => resolveEncryptionKey(config, createLogger("silent"))).toThrow(/32 bytes/);
  });

  it("is generated once into the data dir, readable by its owner only, with a warning", () => {
    const lines: string[] = [];
    const logger = createLogger("warn", { write: (line: string) => void lines.push(line) });
    const config = configSchema.parse({ LLMG_DATA_DIR: dataDir });
    const first = resolveEncryptionKey(config, logger);
    const path = join(dataDir, "encryption.key");
    expect(first).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(lines.join("")).toMatch(/LLMG_ENCRYPTION_KEY is not set: generated one/);
    expect(lines.join("")).not.toContain(first.toString("base64"));
    const again = resolveEncryptionKey(config, logger);
    expect(again.equals(first)).toBe(true);
    expect(readFileSync(path, "utf8").trim()).toBe(first.toString("base64"));
  });
});
