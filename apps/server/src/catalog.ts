import { readFileSync } from "node:fs";
import { type AppConfig, ConfigError } from "@llmg/api";
import { type Catalog, createCatalog, defaultCatalog } from "@llmg/core";

/** The built-in price table, with the operator's LLMG_PRICING_FILE merged over it. */
export function loadCatalog(config: AppConfig): Catalog {
  if (!config.LLMG_PRICING_FILE) return defaultCatalog;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(config.LLMG_PRICING_FILE, "utf8"));
  } catch (error) {
    throw new ConfigError([
      `LLMG_PRICING_FILE: cannot read ${config.LLMG_PRICING_FILE}: ${(error as Error).message}`,
    ]);
  }
  try {
    return createCatalog(parsed);
  } catch (error) {
    throw new ConfigError([`LLMG_PRICING_FILE: ${(error as Error).message}`]);
  }
}
