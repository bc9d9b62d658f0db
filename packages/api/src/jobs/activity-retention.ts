import { type Database, purgeActivityBefore } from "@llmg/db";
import type { Kysely } from "kysely";

const DAY_MS = 86_400_000;

/**
 * Deletes activity-log entries past the retention window. Idempotent, so running it twice or
 * on two workers at once is harmless.
 */
export async function runActivityRetention(
  db: Kysely<Database>,
  retentionDays: number,
  now: Date = new Date(),
): Promise<{ deleted: number; before: string }> {
  const before = new Date(now.getTime() - retentionDays * DAY_MS);
  const deleted = await purgeActivityBefore(db, before);
  return { deleted, before: before.toISOString() };
}
