import { addDecimals } from "@llmg/core";
import { type GenerateOptions, generateRequestRows, insertRequests } from "@llmg/db";
import { testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey } from "./harness";
import {
  canonical,
  generate,
  rawTotals,
  rollUp,
  startUsageFixture,
  type UsageFixture,
} from "./usage-fixture";

const D = (iso: string) => new Date(iso);

interface ChartSeriesBody {
  name: string;
  data: number[];
  data_exact?: string[];
  total_exact?: string;
}
// A fixed past fortnight: data in its first ten days, nothing in the last four.
const FROM = "2025-03-01T00:00:00Z";
const TO = "2025-03-15T00:00:00Z";

describe.each(testBackends())("usage summary and charts over HTTP on %s", (kind) => {
  let f: UsageFixture;
  beforeAll(async () => {
    f = await startUsageFixture(kind);
    const userId = f.a.user.id;
    // Some of A's calls are cache hits: $0 rows whose saving the totals must carry too.
    await generate(f.db, {
      userId,
      count: 1500,
      from: D(FROM),
      to: D("2025-03-11T00:00:00Z"),
      seed: 11,
      cacheHitEvery: 9,
    });
    await generate(f.db, { userId: f.b.user.id, count: 200, from: D(FROM), to: D(TO), seed: 12 });
    await rollUp(f.db);
    // Late rows after the run: the answers must read them raw, next to the rollups.
    await generate(f.db, {
      userId,
      count: 120,
      from: D("2025-03-03T00:00:00Z"),
      to: D("2025-03-04T00:00:00Z"),
      seed: 13,
      idPrefix: "late",
      cacheHitEvery: 4,
    });
    // This month, for the default window.
    await generate(f.db, {
      userId,
      count: 30,
      from: new Date(Date.now() - 60_000),
      to: new Date(),
      seed: 14,
      idPrefix: "now",
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("summarises a range exactly as a straight SQL sum over the rows", async () => {
    const res = await f.get("usage/summary", { from: FROM, to: TO });
    expect(res.status).toBe(200);
    const raw = await rawTotals(f.db, f.a.user.id, D(FROM), D(TO));
    const data = res.body.data;
    expect(data).toMatchObject({ from: "2025-03-01T00:00:00.000Z", to: "2025-03-15T00:00:00.000Z" });
    expect(data.totals).toEqual({
      requests: 1620,
      successful: raw.successes,
      failed: raw.errors,
      success_rate: Math.round((raw.successes / raw.requests) * 10_000) / 10_000,
      prompt_tokens: raw.prompt_tokens,
      completion_tokens: raw.completion_tokens,
      cached_tokens: raw.cached_tokens,
      reasoning_tokens: raw.reasoning_tokens,
      total_tokens: raw.prompt_tokens + raw.completion_tokens,
      cost_usd: Number(raw.cost),
      cost_usd_exact: raw.cost,
      cache_hits: raw.cache_hits,
      saved_usd: Number(raw.saved),
      saved_usd_exact: raw.saved,
    });
    expect(raw.cache_hits).toBeGreaterThan(100);
    const perf = data.performance;
    expect(perf.avg_latency_ms).toBe(Math.round(raw.latency_sum / raw.successes));
    expect(perf.max_latency_ms).toBe(raw.latency_max);
    expect(perf.p50_latency_ms).toBeGreaterThan(0);
    expect(perf.p50_latency_ms).toBeLessThanOrEqual(perf.p95_latency_ms);
    expect(perf.p95_latency_ms).toBeLessThanOrEqual(raw.latency_max ?? 0);
    expect(perf.avg_ttft_ms).toBe(Math.round(raw.ttft_sum / raw.ttft_count));
    expect(perf.streamed_requests).toBe(raw.ttft_count);
    expect(perf.error_rate).toBe(Math.round((raw.errors / raw.requests) * 10_000) / 10_000);

    // Breakdowns add up to the totals, with exact per-provider cost and shares of 1.
    const byProvider = data.by_provider as {
      provider: string;
      requests: number;
      cost_usd_exact: string;
      saved_usd_exact: string;
      cache_hits: number;
      cost_share: number;
    }[];
    expect(byProvider.reduce((n, p) => n + p.requests, 0)).toBe(1620);
    for (const p of byProvider) {
      const rawP = await rawTotals(f.db, f.a.user.id, D(FROM), D(TO), { provider: p.provider });
      expect(p.cost_usd_exact).toBe(rawP.cost);
      expect(p.saved_usd_exact).toBe(rawP.saved);
      expect(p.cache_hits).toBe(rawP.cache_hits);
    }
    expect(byProvider.reduce((n, p) => n + p.cost_share, 0)).toBeCloseTo(1, 3);
    const byModel = data.by_model as {
      provider: string;
      model: string;
      cost_usd: number;
      requests: number;
    }[];
    expect(byModel.length).toBe(7);
    expect(byModel.reduce((n, m) => n + m.requests, 0)).toBe(1620);
    expect(byModel.map((m) => m.cost_usd)).toEqual([...byModel.map((m) => m.cost_usd)].sort((x, y) => y - x));
    expect(perf.error_rate_by_provider).toHaveLength(byProvider.length);
  });

  it("compares with the previous period of equal length", async () => {
    const res = await f.get("usage/summary", { from: "2025-03-06T00:00:00Z", to: "2025-03-11T00:00:00Z" });
    const prev = res.body.data.previous_period;
    expect(prev).toMatchObject({ from: "2025-03-01T00:00:00.000Z", to: "2025-03-06T00:00:00.000Z" });
    const rawPrev = await rawTotals(f.db, f.a.user.id, D("2025-03-01T00:00:00Z"), D("2025-03-06T00:00:00Z"));
    expect(prev.totals.requests).toBe(rawPrev.requests);
    expect(prev.totals.cost_usd_exact).toBe(rawPrev.cost);
    const now = res.body.data.totals.requests;
    expect(prev.change.requests).toBe(
      Math.round(((now - rawPrev.requests) / rawPrev.requests) * 10_000) / 10_000,
    );
  });

  it("is exact on ranges that start and end inside an hour", async () => {
    const from = "2025-03-02T10:30:00Z";
    const to = "2025-03-05T17:45:12.345Z";
    const res = await f.get("usage/summary", { from, to });
    const raw = await rawTotals(f.db, f.a.user.id, D(from), D(to));
    expect(res.body.data.totals.requests).toBe(raw.requests);
    expect(res.body.data.totals.cost_usd_exact).toBe(raw.cost);
    expect(res.body.data.totals.prompt_tokens).toBe(raw.prompt_tokens);
  });

  it("defaults to this month so far, and a bare `to` date means the end of that day", async () => {
    const res = await f.get("usage/summary");
    const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    expect(res.body.data.from).toBe(monthStart.toISOString());
    const raw = await rawTotals(f.db, f.a.user.id, monthStart, new Date(Date.now() + 1000));
    expect(res.body.data.totals.requests).toBe(raw.requests);
    expect(raw.requests).toBeGreaterThanOrEqual(30);

    const day = await f.get("usage/summary", { from: "2025-03-03", to: "2025-03-03" });
    expect(day.body.data.to).toBe("2025-03-04T00:00:00.000Z");
    const rawDay = await rawTotals(f.db, f.a.user.id, D("2025-03-03T00:00:00Z"), D("2025-03-04T00:00:00Z"));
    expect(day.body.data.totals.requests).toBe(rawDay.requests);
  });

  it("answers an empty range with zeros, and shows each user only their own usage", async () => {
    const empty = await f.get("usage/summary", { from: "2024-01-01", to: "2024-01-31" });
    expect(empty.status).toBe(200);
    expect(empty.body.data.totals).toMatchObject({
      requests: 0,
      cost_usd: 0,
      cost_usd_exact: "0",
      success_rate: 0,
    });
    expect(empty.body.data.by_provider).toEqual([]);
    expect(empty.body.data.performance).toMatchObject({ p50_latency_ms: null, avg_ttft_ms: null });
    expect(empty.body.data.previous_period.change.requests).toBeNull();

    const b = await f.get("usage/summary", { from: FROM, to: TO }, f.b.key);
    expect(b.body.data.totals.requests).toBe(200);
  });

  it("refuses bad input with a 400 naming the field", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ from: "2025-03-10", to: "2025-03-01" }, "from"],
      [{ from: "yesterday" }, "from"],
      [{ to: "2025-02-30" }, "to"],
      [{ from: "2025-03-01T00:00:00" }, "from"],
    ];
    for (const [query, field] of cases) {
      const res = await f.get("usage/summary", query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: "validation_error" });
      expect(res.body.details[0].field).toBe(field);
      expect(res.body.message).toContain(field);
    }
    const noKey = await f.get("usage/summary", {}, "");
    expect(noKey.status).toBe(401);
  });

  it("charts each type per day, zero-filled, in UTC", async () => {
    const cost = await f.get("usage/charts", { type: "cost", granularity: "day", from: FROM, to: TO });
    expect(cost.status).toBe(200);
    const data = cost.body.data;
    expect(data.labels).toHaveLength(14);
    expect(data.labels[0]).toBe("2025-03-01T00:00:00.000Z");
    expect(data.labels[13]).toBe("2025-03-14T00:00:00.000Z");
    expect(data.series).toHaveLength(1);
    expect(data.series[0].name).toBe("total");
    expect(data.series[0].data.slice(10)).toEqual([0, 0, 0, 0]);
    const { rows } = await sql<{ d: Date; cost: string; n: number; tokens: number }>`
      select date_trunc('day', created_at at time zone 'UTC') as d, sum(total_cost)::text as cost,
        count(*)::int8 as n, sum(prompt_tokens + completion_tokens)::int8 as tokens
      from requests where user_id = ${f.a.user.id} and created_at >= ${D(FROM)} and created_at < ${D(TO)}
      group by 1 order by 1`.execute(f.db);
    expect(rows).toHaveLength(10);
    rows.forEach((r, i) => {
      expect(data.series[0].data[i]).toBe(Number(canonical(r.cost)));
    });

    const requests = await f.get("usage/charts", { type: "requests", from: FROM, to: TO });
    expect(requests.body.data.series[0].data.slice(0, 10)).toEqual(rows.map((r) => Number(r.n)));
    const tokens = await f.get("usage/charts", { type: "tokens", from: FROM, to: TO });
    expect(tokens.body.data.series[0].data.slice(0, 10)).toEqual(rows.map((r) => Number(r.tokens)));

    const latency = await f.get("usage/charts", { type: "latency", from: FROM, to: TO });
    expect(latency.body.data.series.map((s: { name: string }) => s.name)).toEqual(["avg", "p50", "p95"]);
    expect(latency.body.data.unit).toBe("ms");
    for (const s of latency.body.data.series) {
      expect(s.data).toHaveLength(14);
      expect(s.data.slice(0, 10).every((v: number) => v > 0)).toBe(true);
      expect(s.data.slice(10)).toEqual([0, 0, 0, 0]);
    }
  });

  it("groups by provider and model, and buckets by hour, week and month", async () => {
    const byProvider = await f.get("usage/charts", {
      type: "requests",
      group_by: "provider",
      from: FROM,
      to: TO,
    });
    const series = byProvider.body.data.series as { name: string; data: number[] }[];
    expect(series.map((s) => s.name).sort()).toEqual([
      "anthropic",
      "deepseek",
      "google",
      "mistral",
      "openai",
    ]);
    const perDay = series.reduce((sum, s) => sum.map((v, i) => v + (s.data[i] ?? 0)), new Array(14).fill(0));
    const plain = await f.get("usage/charts", { type: "requests", from: FROM, to: TO });
    expect(perDay).toEqual(plain.body.data.series[0].data);
    const totals = series.map((s) => s.data.reduce((a, b) => a + b, 0));
    expect(totals).toEqual([...totals].sort((a, b) => b - a));

    const byModel = await f.get("usage/charts", {
      type: "cost",
      group_by: "model",
      from: FROM,
      to: TO,
      provider: "openai",
    });
    expect(byModel.body.data.series.map((s: { name: string }) => s.name).sort()).toEqual([
      "openai/gpt-4o",
      "openai/gpt-4o-mini",
    ]);

    const hourly = await f.get("usage/charts", {
      type: "requests",
      granularity: "hour",
      from: "2025-03-03",
      to: "2025-03-04",
    });
    expect(hourly.body.data.labels).toHaveLength(48);
    const rawTwoDays = await rawTotals(
      f.db,
      f.a.user.id,
      D("2025-03-03T00:00:00Z"),
      D("2025-03-05T00:00:00Z"),
    );
    expect(hourly.body.data.series[0].data.reduce((a: number, b: number) => a + b, 0)).toBe(
      rawTwoDays.requests,
    );

    const weekly = await f.get("usage/charts", { type: "requests", granularity: "week", from: FROM, to: TO });
    // 2025-03-01 is a Saturday: its week starts on Monday 24 February.
    expect(weekly.body.data.labels).toEqual([
      "2025-02-24T00:00:00.000Z",
      "2025-03-03T00:00:00.000Z",
      "2025-03-10T00:00:00.000Z",
    ]);
    expect(weekly.body.data.series[0].data.reduce((a: number, b: number) => a + b, 0)).toBe(1620);
    const monthly = await f.get("usage/charts", {
      type: "requests",
      granularity: "month",
      from: "2025-01-15",
      to: "2025-03-31",
    });
    expect(monthly.body.data.labels).toEqual([
      "2025-01-01T00:00:00.000Z",
      "2025-02-01T00:00:00.000Z",
      "2025-03-01T00:00:00.000Z",
    ]);
    expect(monthly.body.data.series[0].data).toEqual([0, 0, 1620]);

    const empty = await f.get("usage/charts", {
      type: "cost",
      group_by: "model",
      from: "2024-01-01",
      to: "2024-01-03",
    });
    expect(empty.body.data).toMatchObject({
      labels: ["2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z", "2024-01-03T00:00:00.000Z"],
      series: [],
    });
  });

  it("refuses bad chart input with a 400 naming the field", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ type: "profit" }, "type"],
      [{}, "type"],
      [{ type: "cost", granularity: "minute" }, "granularity"],
      [{ type: "cost", group_by: "user" }, "group_by"],
      [{ type: "cost", granularity: "hour", from: "2020-01-01", to: "2025-01-01" }, "granularity"],
      [{ type: "cost", from: "2025-03-02", to: "2025-03-01T00:00:00Z" }, "from"],
    ];
    for (const [query, field] of cases) {
      const res = await f.get("usage/charts", query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error).toBe("validation_error");
      expect(res.body.details[0].field, JSON.stringify(query)).toBe(field);
    }
  });

  /** Cost and saving per UTC bucket straight from the rows, keyed by the bucket's ISO start. */
  async function rawBuckets(userId: string, unit: "hour" | "day", from: string, to: string) {
    // The bucket spelled as the API's labels, in SQL, so no driver's time zone reading is involved.
    const { rows } = await sql<{ b: string; cost: string; saved: string }>`
      select to_char(date_trunc(${unit}, created_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00.000"Z"') as b,
        sum(total_cost)::text as cost, coalesce(sum(saved_usd), 0)::text as saved
      from requests where user_id = ${userId} and created_at >= ${D(from)} and created_at < ${D(to)}
      group by 1`.execute(f.db);
    return new Map(rows.map((r) => [r.b, { cost: canonical(r.cost), saved: canonical(r.saved) }]));
  }

  /**
   * Generated rows whose costs have more digits than a double holds (20 significant): a float
   * step anywhere between the rows and the answer would show.
   */
  async function insertPreciseRows(options: GenerateOptions) {
    const rows = generateRequestRows(options).map((r, i) => {
      const tiny = `0.${String(i % 97).padStart(18, "0")}1`;
      if (r.cache_hit) return { ...r, saved_usd: addDecimals(r.saved_usd ?? "0", "100", tiny) };
      if (r.status !== "success") return r;
      // The generator always sets both; insert types leave them optional.
      const precise = addDecimals(r.total_cost ?? "0", "100", tiny);
      return {
        ...r,
        completion_cost: addDecimals(r.completion_cost ?? "0", "100", tiny),
        total_cost: precise,
      };
    });
    await insertRequests(f.db, rows);
  }

  // Last of the charts tests: it rolls up again, which the tests before rely on not happening.
  it("gives money charts exact strings: every point and sum is the rows' numeric sum", async () => {
    const c = await createUserWithKey(f.t);
    const userId = c.user.id as string;
    const get = (query: Record<string, string>) => f.get("usage/charts", query, c.key);
    await insertPreciseRows({
      userId,
      count: 400,
      from: D(FROM),
      to: D("2025-03-11T00:00:00Z"),
      seed: 21,
      idPrefix: "exact",
      cacheHitEvery: 7,
    });
    await rollUp(f.db);
    // Late rows after the run, read raw next to the rollups.
    await insertPreciseRows({
      userId,
      count: 60,
      from: D("2025-03-03T00:00:00Z"),
      to: D("2025-03-04T00:00:00Z"),
      seed: 22,
      idPrefix: "exact_late",
      cacheHitEvery: 5,
    });

    // Per day over the fortnight: closed days from the daily rollups, the late rows raw.
    const daily = await get({ type: "cost", granularity: "day", from: FROM, to: TO });
    const perDay = await rawBuckets(userId, "day", FROM, TO);
    const [total] = daily.body.data.series as ChartSeriesBody[];
    const expectedDays = (daily.body.data.labels as string[]).map((l) => perDay.get(l)?.cost ?? "0");
    expect(expectedDays.filter((cost) => cost !== "0")).toHaveLength(10);
    // More digits than a double holds: only an exact sum gets these right.
    expect(expectedDays.every((cost) => cost === "0" || String(Number(cost)) !== cost)).toBe(true);
    expect(total?.data_exact).toEqual(expectedDays);
    // The float points are the same sums, for plotting.
    expect(total?.data).toEqual(expectedDays.map(Number));
    const raw = await rawTotals(f.db, userId, D(FROM), D(TO));
    expect(total?.total_exact).toBe(raw.cost);

    // Per hour over a range cut inside hours: its edges are read from the rows, the rest from
    // the hourly rollups.
    const from = "2025-03-02T10:30:00Z";
    const to = "2025-03-05T17:45:12.345Z";
    const hourly = await get({ type: "cost", granularity: "hour", from, to });
    const perHour = await rawBuckets(userId, "hour", from, to);
    const [hourTotal] = hourly.body.data.series as ChartSeriesBody[];
    expect(hourTotal?.data_exact).toEqual(
      (hourly.body.data.labels as string[]).map((l) => perHour.get(l)?.cost ?? "0"),
    );
    expect(hourTotal?.total_exact).toBe((await rawTotals(f.db, userId, D(from), D(to))).cost);

    // Savings are money too: the cache hits' savings, exact.
    const savings = await get({ type: "savings", granularity: "day", from: FROM, to: TO });
    const [saved] = savings.body.data.series as ChartSeriesBody[];
    expect(saved?.data_exact).toEqual(
      (savings.body.data.labels as string[]).map((l) => perDay.get(l)?.saved ?? "0"),
    );
    expect(saved?.total_exact).toBe(raw.saved);

    // Grouped: each listed provider's sum is its rows' sum, "(other)" the rest's, and the
    // series add up per bucket to the ungrouped chart, all without a float step.
    const grouped = await get({
      type: "cost",
      granularity: "day",
      group_by: "provider",
      limit: "2",
      from: FROM,
      to: TO,
    });
    const series = grouped.body.data.series as ChartSeriesBody[];
    expect(series.map((s) => s.name)).toHaveLength(3);
    expect(series[2]?.name).toBe("(other)");
    const costOf = async (provider: string) =>
      (await rawTotals(f.db, userId, D(FROM), D(TO), { provider })).cost;
    for (const s of series.slice(0, 2)) expect(s.total_exact, s.name).toBe(await costOf(s.name));
    const others = ["anthropic", "deepseek", "google", "mistral", "openai"].filter(
      (p) => !series.some((s) => s.name === p),
    );
    const otherCosts = await Promise.all(others.map(costOf));
    expect(series[2]?.total_exact).toBe(addDecimals(...otherCosts));
    const summed = expectedDays.map((_, i) => addDecimals(...series.map((s) => s.data_exact?.[i] ?? "x")));
    expect(summed).toEqual(expectedDays);

    // Counts carry no exact strings.
    const requests = await get({ type: "requests", from: FROM, to: TO });
    expect(requests.body.data.series[0]).not.toHaveProperty("data_exact");
    expect(requests.body.data.series[0]).not.toHaveProperty("total_exact");

    // And /openapi.json documents both.
    const doc = await call(`${f.t.url}/openapi.json`);
    const fields = doc.body.components.schemas.UsageChart.properties.series.items.properties;
    expect(fields.data_exact).toMatchObject({ type: "array", items: { type: "string" } });
    expect(fields.total_exact).toMatchObject({ type: "string" });
    expect(fields.data_exact.description).toContain("exact decimal");
  });
});
