import { catchUpRollups, planSources, type RollupResult, readMeasures, runUsageRollup } from "@llmg/api";
import {
  createUser,
  insertGeneratedRequests,
  insertRequests,
  probeWindow,
  queryMeasures,
  readRollupState,
} from "@llmg/db";
import { openTestDatabase, type TestDatabase, testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const DAY = 86_400_000;
const NOW = Date.now();
const FROM = new Date(NOW - 10 * DAY);
// Far enough ahead to hold every generated row, whatever the clock does meanwhile.
const TO = new Date(NOW + DAY);

interface Totals {
  provider: string;
  model: string;
  requests: number;
  successes: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost: string;
  latency_sum: number;
  latency_max: number;
  ttft_sum: number;
  ttft_count: number;
  cache_hits: number;
  saved: string;
}

/** The straight SQL answer over raw rows, per provider and model. */
async function rawTotals(t: TestDatabase, userId: string): Promise<Totals[]> {
  const { rows } = await sql<Totals>`
    select provider, model, count(*)::int8 as requests,
      count(*) filter (where status = 'success')::int8 as successes,
      sum(prompt_tokens)::int8 as prompt_tokens, sum(completion_tokens)::int8 as completion_tokens,
      sum(cached_tokens)::int8 as cached_tokens, sum(reasoning_tokens)::int8 as reasoning_tokens,
      sum(total_cost)::text as cost,
      coalesce(sum(latency_ms) filter (where status = 'success'), 0)::int8 as latency_sum,
      coalesce(max(latency_ms) filter (where status = 'success'), 0) as latency_max,
      coalesce(sum(ttft_ms) filter (where status = 'success' and stream), 0)::int8 as ttft_sum,
      count(ttft_ms) filter (where status = 'success' and stream)::int8 as ttft_count,
      count(*) filter (where cache_hit)::int8 as cache_hits,
      coalesce(sum(saved_usd), 0)::text as saved
    from requests where user_id = ${userId} group by provider, model order by provider, model`.execute(t.db);
  return rows.map((r) => ({ ...r, cost: normalize(r.cost), saved: normalize(r.saved) }));
}

/** The same from the rollup table alone, at one granularity. */
async function rollupTotals(t: TestDatabase, userId: string, granularity: "hour" | "day"): Promise<Totals[]> {
  const { rows } = await sql<Totals>`
    select provider, model, sum(requests)::int8 as requests, sum(successes)::int8 as successes,
      sum(prompt_tokens)::int8 as prompt_tokens, sum(completion_tokens)::int8 as completion_tokens,
      sum(cached_tokens)::int8 as cached_tokens, sum(reasoning_tokens)::int8 as reasoning_tokens,
      sum(cost)::text as cost, sum(latency_sum)::int8 as latency_sum, max(latency_max) as latency_max,
      sum(ttft_sum)::int8 as ttft_sum, sum(ttft_count)::int8 as ttft_count,
      sum(cache_hits)::int8 as cache_hits, sum(saved)::text as saved
    from usage_rollups where user_id = ${userId} and granularity = ${granularity}
    group by provider, model order by provider, model`.execute(t.db);
  return rows.map((r) => ({ ...r, cost: normalize(r.cost), saved: normalize(r.saved) }));
}

/** numeric::text keeps trailing zeros of the scale; compare values, not spellings. */
function normalize(decimal: string): string {
  return decimal.includes(".") ? decimal.replace(/0+$/, "").replace(/\.$/, "") : decimal;
}

/** Every rollup row but its updated_at, in a stable order: "the same numbers". */
async function snapshot(t: TestDatabase) {
  const { rows } = await sql`
    select user_id, granularity, bucket_start, provider, model, requests, successes, errors,
      prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost::text as cost,
      latency_sum, latency_max, latency_hist::text as hist, ttft_sum, ttft_count, cache_hits,
      saved::text as saved
    from usage_rollups order by user_id, granularity, bucket_start, provider, model`.execute(t.db);
  return rows;
}

async function measuredTotals(t: TestDatabase, userId: string) {
  const rows = await readMeasures(t.db, {
    userId,
    from: FROM,
    to: TO,
    grouping: { provider: true, model: true },
  });
  return rows
    .map((r) => ({
      provider: r.provider,
      model: r.model,
      requests: r.requests,
      successes: r.successes,
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      cached_tokens: r.cached_tokens,
      reasoning_tokens: r.reasoning_tokens,
      cost: normalize(r.cost),
      latency_sum: r.latency_sum,
      latency_max: r.latency_max,
      ttft_sum: r.ttft_sum,
      ttft_count: r.ttft_count,
      cache_hits: r.cache_hits,
      saved: normalize(r.saved),
    }))
    .sort((a, b) => `${a.provider}/${a.model}`.localeCompare(`${b.provider}/${b.model}`));
}

const rowsOf = (results: RollupResult[]) => results.reduce((n, r) => n + r.rows, 0);

describe.each(testBackends())("usage rollups on %s", (kind) => {
  let t: TestDatabase;
  let userA: string;
  let userB: string;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    userA = (await createUser(t.db, { email: "a@example.com" })).id;
    userB = (await createUser(t.db, { email: "b@example.com" })).id;
    await insertGeneratedRequests(t.db, {
      userId: userA,
      count: 3000,
      from: FROM,
      to: new Date(NOW),
      seed: 1,
      cacheHitEvery: 7,
    });
    await insertGeneratedRequests(t.db, {
      userId: userB,
      count: 400,
      from: FROM,
      to: new Date(NOW),
      seed: 2,
      cacheHitEvery: 5,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("reads the same exact totals from raw rows before a run and from rollups after it", async () => {
    const raw = await rawTotals(t, userA);
    expect(raw.reduce((n, r) => n + r.requests, 0)).toBe(3000);
    expect(await measuredTotals(t, userA)).toEqual(raw);

    const results = await catchUpRollups(t.db);
    expect(results[0]?.mode).toBe("rebuild");
    expect(rowsOf(results)).toBe(3400);
    expect(await rollupTotals(t, userA, "hour")).toEqual(raw);
    expect(await rollupTotals(t, userA, "day")).toEqual(raw);
    expect(await rollupTotals(t, userB, "day")).toEqual(await rawTotals(t, userB));
    expect(await measuredTotals(t, userA)).toEqual(raw);
  });

  it("is idempotent: a second run and a rebuild leave the very same numbers", async () => {
    await catchUpRollups(t.db);
    const before = await snapshot(t);
    expect(before.length).toBeGreaterThan(100);
    const again = await runUsageRollup(t.db);
    expect(again).toMatchObject({ mode: "incremental", rows: 0, buckets: 0 });
    expect(await snapshot(t)).toEqual(before);
    await runUsageRollup(t.db, { mode: "rebuild", wait: true });
    expect(await snapshot(t)).toEqual(before);
  });

  it("counts late rows (created long before the watermark, inserted after it)", async () => {
    await catchUpRollups(t.db);
    const watermark = (await readRollupState(t.db))?.watermark ?? 0;
    expect(watermark).toBeGreaterThan(0);
    await insertGeneratedRequests(t.db, {
      userId: userA,
      count: 50,
      from: new Date(NOW - 9 * DAY),
      to: new Date(NOW - 8 * DAY),
      seed: 3,
      idPrefix: "late",
    });
    // Current before the next run (read raw through the dirty hours)...
    expect(await measuredTotals(t, userA)).toEqual(await rawTotals(t, userA));
    const results = await catchUpRollups(t.db);
    expect(results.every((r) => r.mode === "incremental")).toBe(true);
    expect(rowsOf(results)).toBe(50);
    // A transaction open elsewhere on the server can hold the watermark back for a run or two, so
    // the buckets may be touched by any of the catch-up runs, not necessarily the first.
    expect(results.reduce((n, r) => n + r.buckets, 0)).toBeGreaterThan(0);
    // ...and in the rollups after it.
    expect(await rollupTotals(t, userA, "day")).toEqual(await rawTotals(t, userA));
    expect(await rollupTotals(t, userA, "hour")).toEqual(await rawTotals(t, userA));
  });

  it("gives the same numbers when two runs start at once", async () => {
    await insertGeneratedRequests(t.db, {
      userId: userB,
      count: 300,
      from: FROM,
      to: new Date(NOW),
      seed: 4,
      idPrefix: "c",
    });
    const runs = await Promise.all([
      runUsageRollup(t.db),
      runUsageRollup(t.db),
      runUsageRollup(t.db, { wait: true }),
      runUsageRollup(t.db, { wait: true }),
    ]);
    // At most the non-waiting runs may skip; the waiting ones always run.
    expect(runs.filter((r) => r.mode !== "skipped").length).toBeGreaterThanOrEqual(2);
    await catchUpRollups(t.db);
    expect(await rollupTotals(t, userB, "hour")).toEqual(await rawTotals(t, userB));
    expect(await rollupTotals(t, userB, "day")).toEqual(await rawTotals(t, userB));
    const settled = await snapshot(t);
    await runUsageRollup(t.db, { mode: "rebuild", wait: true });
    expect(await snapshot(t)).toEqual(settled);
  });

  it("answers exactly while runs commit under the readers", async () => {
    await insertGeneratedRequests(t.db, {
      userId: userA,
      count: 200,
      from: FROM,
      to: new Date(NOW),
      seed: 6,
      idPrefix: "race",
    });
    const expected = await rawTotals(t, userA);
    // Readers and runs interleave; a reader must never see a row both in a rollup and in the tail.
    const reads = Array.from({ length: 12 }, () => measuredTotals(t, userA));
    const runs = [
      runUsageRollup(t.db, { wait: true }),
      runUsageRollup(t.db, { mode: "rebuild", wait: true }),
    ];
    const [answers] = await Promise.all([
      Promise.all(reads),
      Promise.all(runs).then(() => catchUpRollups(t.db)),
    ]);
    for (const answer of answers) expect(answer).toEqual(expected);
  });

  it.skipIf(kind !== "postgres")(
    "reads the watermark and the rows in one snapshot, so a run committing in between changes nothing",
    async () => {
      await insertGeneratedRequests(t.db, {
        userId: userB,
        count: 60,
        from: FROM,
        to: new Date(NOW),
        seed: 7,
        idPrefix: "snap",
      });
      const expected = await rawTotals(t, userB);
      const readAcrossARun = async (isolation: "repeatable read" | "read committed") => {
        const trx = await t.db.startTransaction().setIsolationLevel(isolation).execute();
        try {
          const probe = await probeWindow(trx, userB, FROM, TO);
          // A run commits between the probe and the read, moving the tail into the rollups.
          await insertGeneratedRequests(t.db, {
            userId: userB,
            count: 1,
            from: FROM,
            to: FROM,
            seed: 8,
            idPrefix: isolation,
          });
          await catchUpRollups(t.db);
          const plan = planSources(FROM.getTime(), TO.getTime(), probe, true);
          const rows = await queryMeasures(trx, userB, plan, {});
          return rows[0]?.requests;
        } finally {
          await trx.rollback().execute();
        }
      };
      expect(await readAcrossARun("repeatable read")).toBe(expected.reduce((n, r) => n + r.requests, 0));
      // The same read without a snapshot counts the moved rows twice: why the snapshot is there.
      expect(await readAcrossARun("read committed")).toBeGreaterThan(
        expected.reduce((n, r) => n + r.requests, 0) + 1,
      );
    },
  );

  it("rebuilds from a date and keeps older buckets", async () => {
    const before = await snapshot(t);
    const from = new Date(Math.floor((NOW - 3 * DAY) / DAY) * DAY);
    const result = await runUsageRollup(t.db, { mode: "rebuild", from, wait: true });
    expect(result.mode).toBe("rebuild");
    expect(result.rows).toBeLessThan(3700);
    expect(await snapshot(t)).toEqual(before);
  });

  it.skipIf(kind !== "postgres")(
    "counts a row whose transaction commits after a run that started later",
    async () => {
      const open = await t.db.startTransaction().execute();
      await insertRequests(open, [
        {
          id: "req_slow_commit",
          user_id: userA,
          provider: "openai",
          model: "gpt-4o-mini",
          endpoint: "api",
          status: "success",
          http_status: 200,
          latency_ms: 123,
          total_cost: "1.000000001",
          created_at: new Date(NOW - 5 * DAY),
        },
      ]);
      // A row inserted and committed after the open one, so a serial watermark would pass it.
      await insertGeneratedRequests(t.db, {
        userId: userA,
        count: 5,
        from: FROM,
        to: new Date(NOW),
        seed: 5,
        idPrefix: "after",
      });
      await runUsageRollup(t.db, { wait: true });
      await open.commit().execute();
      expect(await measuredTotals(t, userA)).toEqual(await rawTotals(t, userA));
      await catchUpRollups(t.db);
      expect(await rollupTotals(t, userA, "day")).toEqual(await rawTotals(t, userA));
    },
  );
});
