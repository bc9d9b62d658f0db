import type { Kysely } from "kysely";

/**
 * Where a user's budget and rate counters live in Redis (see the api's limits/home.ts): null for
 * the user's own hash tag, `{<userId>}`, as before; set when a team membership moves them under
 * the team's hash tag (so one Redis Cluster slot holds every key an admission touches) or back.
 * Each move writes a new value with a fresh epoch, so a user's counters never return to a home
 * whose counters went stale while they lived elsewhere.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").addColumn("counter_home", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("counter_home").execute();
}
