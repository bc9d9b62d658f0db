import type { Database } from "@llmg/db";
import type { Kysely } from "kysely";
import { DAY_MS } from "./plan";
import { runUsageRollup } from "./rollup-job";

/** `pnpm llmg rollups run|rebuild [--from DATE]`: runs the rollup and says what it did. */
export async function rollupsCommand(
  db: Kysely<Database>,
  command: "run" | "rebuild",
  fromText?: string,
): Promise<string> {
  let from: Date | null = null;
  if (fromText !== undefined) {
    if (command !== "rebuild") throw new Error("--from only applies to rollups rebuild");
    const parsed = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(fromText) ? new Date(fromText) : new Date(Number.NaN);
    if (Number.isNaN(parsed.getTime()))
      throw new Error(`--from must be a date such as 2026-11-01, got "${fromText}"`);
    // Whole UTC days, so the daily bucket holding `from` is rebuilt complete.
    from = new Date(Math.floor(parsed.getTime() / DAY_MS) * DAY_MS);
  }
  const result = await runUsageRollup(db, {
    mode: command === "rebuild" ? "rebuild" : "incremental",
    from,
    wait: true,
  });
  const scope =
    result.mode === "rebuild"
      ? from
        ? `rebuilt from ${from.toISOString().slice(0, 10)}`
        : "rebuilt all"
      : "incremental";
  return `rollups ${scope}: ${result.rows} rows into ${result.buckets} hourly buckets in ${result.duration_ms} ms (watermark ${result.watermark})`;
}
