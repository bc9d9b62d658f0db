import type { Kysely } from "kysely";
import type { ActivityLogEntry, Database } from "../types";
import { offsetOf, type Page, type PageRequest } from "./pagination";

export interface ActivityInput {
  userId: string | null;
  actor: string;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown> | null;
}

export async function recordActivity(db: Kysely<Database>, entry: ActivityInput): Promise<void> {
  await db
    .insertInto("activity_log")
    .values({
      user_id: entry.userId,
      actor: entry.actor,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      ip: entry.ip ?? null,
      user_agent: entry.userAgent ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
    .execute();
}

export async function listActivity(
  db: Kysely<Database>,
  userId: string,
  page: PageRequest,
  action?: string,
): Promise<Page<ActivityLogEntry>> {
  let base = db.selectFrom("activity_log").where("user_id", "=", userId);
  if (action) base = base.where("action", "=", action);
  const [items, count] = await Promise.all([
    base
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(page.perPage)
      .offset(offsetOf(page))
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items, total: count.n };
}

/** Deletes entries older than `before`; returns how many went. */
export async function purgeActivityBefore(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom("activity_log").where("created_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
