import { type Kysely, Migrator, type RawBuilder, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrateToLatest } from "../migrate";
import { migrationProvider } from "../migrations";
import { openTestDatabase, testBackends } from "../testing";
import type { Database } from "../types";
import { insertRequests } from "./requests";
import { countRowsSince, rebuildRollups, rollupSince, snapshotWatermark } from "./rollups";
import { PRE_CACHE_MEASURE_COLUMN_LIST, preCacheRawMeasures, utcTrunc } from "./rollups-sql";
import { generateRequestRows } from "./usage-generate";
import { createUser } from "./users";

const FROM = new Date("2025-05-01T00:00:00Z");
const TO = new Date("2025-05-04T00:00:00Z");

type Totals = { g: string | null; requests: number; tokens: number; cost: string };

const normalize = (rows: Totals[]) =>
  rows
    .map((r) => ({
      g: r.g === "" ? null : r.g,
      requests: Number(r.requests),
      tokens: Number(r.tokens),
      cost: r.cost.includes(".") ? r.cost.replace(/0+$/, "").replace(/\.$/, "") : r.cost,
    }))
    .sort((a, b) => String(a.g).localeCompare(String(b.g)));

/** Straight SQL per group over the rows; tags through a LEFT JOIN on unnest (untagged: null). */
async function fromRows(db: Kysely<Database>, userId: string, column: RawBuilder<unknown>, tags: boolean) {
  const join = tags ? sql`left join lateral unnest(r.tags) as t(tag) on true` : sql``;
  const { rows } = await sql<Totals>`select ${column} as g, count(*)::int8 as requests,
      sum(r.prompt_tokens + r.completion_tokens)::int8 as tokens, sum(r.total_cost)::text as cost
    from requests r ${join} where r.user_id = ${userId} group by 1`.execute(db);
  return normalize(rows);
}

/** The same from one rollup table at one granularity. */
async function fromRollups(
  db: Kysely<Database>,
  userId: string,
  table: "usage_rollups" | "usage_tag_rollups",
  column: string,
  granularity: "hour" | "day",
) {
  const { rows } = await sql<Totals>`select ${sql.ref(column)} as g, sum(requests)::int8 as requests,
      sum(prompt_tokens + completion_tokens)::int8 as tokens, sum(cost)::text as cost
    from ${sql.table(table)} where user_id = ${userId} and granularity = ${granularity} group by 1`.execute(
    db,
  );
  return normalize(rows);
}

/**
 * A watermark past every row inserted so far. Another transaction open anywhere on the server
 * holds the snapshot's xmin back (other test files run alongside), so wait for it to pass.
 */
async function settledWatermark(db: Kysely<Database>): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const watermark = await snapshotWatermark(db);
    if ((await countRowsSince(db, watermark)) === 0) return watermark;
    if (Date.now() > deadline)
      throw new Error("the watermark did not pass the rows: a transaction stays open");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function expectExact(db: Kysely<Database>, userId: string) {
  for (const granularity of ["hour", "day"] as const) {
    expect(await fromRollups(db, userId, "usage_rollups", "api_key_id", granularity)).toEqual(
      await fromRows(db, userId, sql`r.api_key_id`, false),
    );
    expect(await fromRollups(db, userId, "usage_rollups", "team_id", granularity)).toEqual(
      await fromRows(db, userId, sql`r.team_id`, false),
    );
    expect(await fromRollups(db, userId, "usage_tag_rollups", "tag", granularity)).toEqual(
      await fromRows(db, userId, sql`t.tag`, true),
    );
  }
}

describe.each(testBackends())("rollup dimensions on %s", (kind) => {
  it("the migration drops buckets rolled up without the new dimensions and resets the watermark; the rebuild and later runs are exact", async () => {
    const t = await openTestDatabase(kind);
    try {
      const user = await createUser(t.db, { email: `dims-${kind}@example.com` });
      const shaped = (seed: number, prefix: string) =>
        generateRequestRows({ userId: user.id, count: 300, from: FROM, to: TO, seed, idPrefix: prefix }).map(
          (row, i) => ({
            ...row,
            api_key_id: ["key_a", "key_b", null][i % 3] ?? null,
            team_id: i % 3 === 1 ? "team_x" : null,
            tags: [[], ["alpha"], ["alpha", "beta"], ["beta"]][i % 4] ?? [],
          }),
        );
      await insertRequests(t.db, shaped(31, "old"));

      // Back to the schema before the migration, with buckets as the previous job wrote them.
      const migrator = new Migrator({ db: t.db, provider: migrationProvider });
      const back = await migrator.migrateTo("2026-12-03T00-00-00_budget_levels");
      expect(back.error).toBeUndefined();
      const hour = utcTrunc("hour", sql`r.created_at`);
      const watermark = await settledWatermark(t.db);
      await sql`insert into usage_rollups (user_id, granularity, bucket_start, provider, model, ${PRE_CACHE_MEASURE_COLUMN_LIST}, updated_at)
        select r.user_id, 'hour', ${hour}, r.provider, r.model, ${preCacheRawMeasures()}, now()
        from requests r group by r.user_id, ${hour}, r.provider, r.model`.execute(t.db);
      await sql`insert into usage_rollup_state (id, watermark) values ('usage', ${watermark})`.execute(t.db);

      await migrateToLatest(t.db);
      const count = async (table: "usage_rollups" | "usage_tag_rollups") =>
        Number(
          (await sql<{ n: number }>`select count(*)::int8 as n from ${sql.table(table)}`.execute(t.db))
            .rows[0]?.n,
        );
      expect(await count("usage_rollups")).toBe(0);
      expect(await count("usage_tag_rollups")).toBe(0);
      const state = await t.db.selectFrom("usage_rollup_state").select("watermark").executeTakeFirst();
      expect(Number(state?.watermark)).toBe(0);

      // What the job does next (watermark 0: rebuild), then an incremental run over new rows.
      const first = await settledWatermark(t.db);
      await t.db.transaction().execute((trx) => rebuildRollups(trx, null, first));
      await expectExact(t.db, user.id);
      await insertRequests(t.db, shaped(32, "new"));
      const second = await settledWatermark(t.db);
      await t.db.transaction().execute((trx) => rollupSince(trx, first, second));
      await expectExact(t.db, user.id);
    } finally {
      await t.close();
    }
  });
});
