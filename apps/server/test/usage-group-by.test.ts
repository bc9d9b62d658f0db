import { createLlmgClient } from "@llmg/client";
import { generateRequestRows, insertRequests, type NewRequestRow } from "@llmg/db";
import { testBackends } from "@llmg/db/testing";
import { type RawBuilder, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./harness";
import { canonical, rollUp, startUsageFixture, type UsageFixture } from "./usage-fixture";

const D = (iso: string) => new Date(iso);
const FROM = "2025-03-01T00:00:00Z";
const TO = "2025-03-15T00:00:00Z";
// Starts and ends inside an hour: partial hours are read raw, whole ones from the rollups.
const ODD_FROM = "2025-03-02T10:30:00Z";
const ODD_TO = "2025-03-05T17:45:12.345Z";

type Dimension = "tag" | "key" | "team" | "model" | "provider";

interface SqlGroup {
  group: string | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: string;
}

/**
 * The straight SQL answer per group over the raw rows, written independently of the rollups:
 * tags through a LEFT JOIN on unnest (an untagged call joins nothing and lands in the null group).
 */
async function sqlGroups(
  f: UsageFixture,
  userId: string,
  dimension: Dimension,
  from: string,
  to: string,
): Promise<SqlGroup[]> {
  const column: Record<Dimension, RawBuilder<unknown>> = {
    tag: sql`t.tag`,
    key: sql`r.api_key_id`,
    team: sql`r.team_id`,
    model: sql`r.provider || '/' || r.model`,
    provider: sql`r.provider`,
  };
  const tags = dimension === "tag" ? sql`left join lateral unnest(r.tags) as t(tag) on true` : sql``;
  const { rows } = await sql<SqlGroup>`
    select ${column[dimension]} as "group", count(*)::int8 as requests,
      sum(r.prompt_tokens)::int8 as prompt_tokens, sum(r.completion_tokens)::int8 as completion_tokens,
      sum(r.total_cost)::text as cost
    from requests r ${tags}
    where r.user_id = ${userId} and r.created_at >= ${D(from)} and r.created_at < ${D(to)}
    group by 1`.execute(f.db);
  return rows
    .map((r) => ({
      ...r,
      requests: Number(r.requests),
      prompt_tokens: Number(r.prompt_tokens),
      completion_tokens: Number(r.completion_tokens),
      cost: canonical(r.cost),
    }))
    .sort((a, b) => Number(b.cost) - Number(a.cost) || b.requests - a.requests);
}

interface ApiGroup {
  group: string | null;
  name: string | null;
  key_prefix: string | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  cost_usd_exact: string;
  cost_share: number;
}

const asSqlGroup = (g: ApiGroup): SqlGroup => ({
  group: g.group,
  requests: g.requests,
  prompt_tokens: g.prompt_tokens,
  completion_tokens: g.completion_tokens,
  cost: g.cost_usd_exact,
});

describe.each(testBackends())("usage group_by on %s", (kind) => {
  let f: UsageFixture;
  let team: { id: string; name: string };
  let ciKey: { id: string; prefix: string; key: string };
  // Tags carried by A's calls besides alpha/beta, so there are more groups than a small limit.
  const spreadTags = Array.from({ length: 11 }, (_, i) => `t${i}`);

  beforeAll(async () => {
    f = await startUsageFixture(kind);
    const admin = (path: string, body: unknown) => call(`${f.t.url}/api${path}`, { key: f.t.adminKey, body });
    const created = await admin("/admin/teams", { name: `platform-${kind}` });
    expect(created.status).toBe(201);
    team = created.body.data;
    for (const user of [f.a.user.id, f.b.user.id]) {
      expect((await admin(`/admin/teams/${team.id}/members`, { user_id: user })).status).toBe(200);
    }
    const key = await admin(`/admin/users/${f.a.user.id}/keys`, { name: "ci", team_id: team.id });
    expect(key.status).toBe(201);
    ciKey = key.body.data;
    const bTeamKey = await admin(`/admin/users/${f.b.user.id}/keys`, { name: "b-ci", team_id: team.id });
    expect(bTeamKey.status).toBe(201);

    // A: a third of the calls with the plain key, a third with the team key, a third keyless;
    // untagged, one tag, two tags, and a spread of single tags.
    const shapeA = (rows: NewRequestRow[]) =>
      rows.map((row, i) => {
        const keyId = [f.a.keyId, ciKey.id, null][i % 3] ?? null;
        const tags =
          [[], ["alpha"], ["alpha", "beta"], ["beta"], [spreadTags[i % 11] as string]][i % 5] ?? [];
        return { ...row, api_key_id: keyId, team_id: keyId === ciKey.id ? team.id : null, tags };
      });
    const insert = async (rows: NewRequestRow[]) => {
      for (let i = 0; i < rows.length; i += 500) await insertRequests(f.db, rows.slice(i, i + 500));
    };
    const a = f.a.user.id;
    await insert(
      shapeA(generateRequestRows({ userId: a, count: 900, from: D(FROM), to: D("2025-03-11"), seed: 21 })),
    );
    // B shares the team and the tag alpha, and has a tag of its own that A must never see.
    await insert(
      generateRequestRows({ userId: f.b.user.id, count: 300, from: D(FROM), to: D(TO), seed: 22 }).map(
        (row, i) => ({
          ...row,
          api_key_id: bTeamKey.body.data.id,
          team_id: team.id,
          tags: i % 2 === 0 ? ["alpha"] : ["secret-b"],
        }),
      ),
    );
    await rollUp(f.db);
    // Late rows after the run: read raw next to the rollups.
    await insert(
      shapeA(
        generateRequestRows({
          userId: a,
          count: 150,
          from: D("2025-03-03T00:00:00Z"),
          to: D("2025-03-04T00:00:00Z"),
          seed: 23,
          idPrefix: "late",
        }),
      ),
    );
  });
  afterAll(async () => {
    await f?.close();
  });

  const summary = (query: Record<string, string | number>, key?: string) =>
    f.get("usage/summary", query, key);

  for (const dimension of ["tag", "key", "team", "model", "provider"] as const) {
    it(`summary group_by=${dimension} equals straight SQL sums per group`, async () => {
      for (const [from, to] of [
        [FROM, TO],
        [ODD_FROM, ODD_TO],
      ] as const) {
        const res = await summary({ from, to, group_by: dimension, limit: 100 });
        expect(res.status).toBe(200);
        const data = res.body.data;
        expect(data.group_by).toBe(dimension);
        expect(data.other).toBeNull();
        const expected = await sqlGroups(f, f.a.user.id, dimension, from, to);
        const groups = data.groups as ApiGroup[];
        const byGroup = (x: SqlGroup, y: SqlGroup) => String(x.group).localeCompare(String(y.group));
        expect(groups.map(asSqlGroup).sort(byGroup)).toEqual([...expected].sort(byGroup));
        for (const g of groups) {
          expect(g.total_tokens).toBe(g.prompt_tokens + g.completion_tokens);
          expect(g.cost_usd).toBe(Number(g.cost_usd_exact));
        }
        // Biggest spend first.
        expect(groups.map((g) => g.group)).toEqual(expected.map((g) => g.group));
        // Every call is in one group, except that tags count a call once per tag.
        const sum = expected.reduce((n, g) => n + g.requests, 0);
        if (dimension === "tag") expect(sum).toBeGreaterThan(data.totals.requests);
        else expect(sum).toBe(data.totals.requests);
      }
    });
  }

  it("counts a call with two tags fully in each tag, and untagged calls in the null group", async () => {
    const res = await summary({ from: FROM, to: TO, group_by: "tag", limit: 100 });
    const groups = res.body.data.groups as ApiGroup[];
    const { rows } = await sql<{ n: number }>`select count(*)::int8 as n from requests
      where user_id = ${f.a.user.id} and created_at >= ${D(FROM)} and created_at < ${D(TO)}
        and tags @> array['alpha', 'beta']::text[]`.execute(f.db);
    const both = Number(rows[0]?.n);
    expect(both).toBeGreaterThan(0);
    const sum = groups.reduce((n, g) => n + g.requests, 0);
    // Every call once, plus once more for each call carrying two tags.
    expect(sum).toBe(res.body.data.totals.requests + both);
    const untagged = groups.find((g) => g.group === null);
    expect(untagged?.requests).toBeGreaterThan(0);
    expect(groups.map((g) => g.group)).not.toContain("");
    expect(groups.map((g) => g.group)).not.toContain("secret-b");
  });

  it("labels keys and teams, and shows a team group with the caller's own calls only", async () => {
    const keys = (await summary({ from: FROM, to: TO, group_by: "key" })).body.data.groups as ApiGroup[];
    const ci = keys.find((g) => g.group === ciKey.id);
    expect(ci).toMatchObject({ name: "ci", key_prefix: ciKey.prefix });
    expect(keys.find((g) => g.group === f.a.keyId)?.key_prefix).toEqual(expect.any(String));
    expect(keys.find((g) => g.group === null)).toMatchObject({ name: null, key_prefix: null });
    expect(keys.map((g) => g.group)).toHaveLength(3);

    const teams = (await summary({ from: FROM, to: TO, group_by: "team" })).body.data.groups as ApiGroup[];
    const mine = teams.find((g) => g.group === team.id);
    expect(mine).toMatchObject({ name: team.name, key_prefix: null });
    const { rows } = await sql<{ a: number; all: number }>`select
        count(*) filter (where user_id = ${f.a.user.id})::int8 as a, count(*)::int8 as all
      from requests where team_id = ${team.id} and created_at >= ${D(FROM)} and created_at < ${D(TO)}`.execute(
      f.db,
    );
    expect(mine?.requests).toBe(Number(rows[0]?.a));
    expect(Number(rows[0]?.all)).toBeGreaterThan(Number(rows[0]?.a));

    // B sees its own team spend and its own tags, none of A's.
    const bTeams = (await summary({ from: FROM, to: TO, group_by: "team" }, f.b.key)).body.data
      .groups as ApiGroup[];
    expect(bTeams.map(asSqlGroup)).toEqual(await sqlGroups(f, f.b.user.id, "team", FROM, TO));
    const bTags = (await summary({ from: FROM, to: TO, group_by: "tag" }, f.b.key)).body.data
      .groups as ApiGroup[];
    expect(bTags.map((g) => g.group).sort()).toEqual(["alpha", "secret-b"]);
    const bKeys = (await summary({ from: FROM, to: TO, group_by: "key" }, f.b.key)).body.data
      .groups as ApiGroup[];
    expect(bKeys.map((g) => g.group)).not.toContain(ciKey.id);
  });

  it("lists the biggest groups up to limit and sums the rest into other", async () => {
    const expected = await sqlGroups(f, f.a.user.id, "tag", FROM, TO);
    expect(expected.length).toBe(14);
    const res = await summary({ from: FROM, to: TO, group_by: "tag", limit: 3 });
    const data = res.body.data;
    expect((data.groups as ApiGroup[]).map(asSqlGroup)).toEqual(expected.slice(0, 3));
    const rest = expected.slice(3);
    const restCost = await sql<{ c: string }>`select (${sql.join(
      rest.map((g) => sql`${g.cost}::numeric`),
      sql` + `,
    )})::text as c`.execute(f.db);
    expect(data.other).toMatchObject({
      groups: 11,
      requests: rest.reduce((n, g) => n + g.requests, 0),
      prompt_tokens: rest.reduce((n, g) => n + g.prompt_tokens, 0),
      cost_usd_exact: canonical(restCost.rows[0]?.c ?? ""),
    });
    // The default limit is 20: all 14 tag groups fit.
    const all = await summary({ from: FROM, to: TO, group_by: "tag" });
    expect(all.body.data.groups).toHaveLength(14);
    expect(all.body.data.other).toBeNull();
  });

  it("leaves the summary as it was without group_by", async () => {
    const res = await summary({ from: FROM, to: TO });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data).sort()).toEqual(
      ["by_model", "by_provider", "from", "performance", "previous_period", "to", "totals"].sort(),
    );
  });

  it("charts one series per tag, key and team, equal to SQL per bucket", async () => {
    for (const [dimension, column] of [
      ["tag", sql`t.tag`],
      ["key", sql`r.api_key_id`],
      ["team", sql`r.team_id`],
    ] as const) {
      for (const granularity of ["day", "hour"] as const) {
        const [from, to] =
          granularity === "day" ? [FROM, TO] : ["2025-03-03T00:00:00Z", "2025-03-04T06:00:00Z"];
        const res = await f.get("usage/charts", {
          type: "cost",
          granularity,
          group_by: dimension,
          limit: 100,
          from,
          to,
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const data = res.body.data;
        const tags = dimension === "tag" ? sql`left join lateral unnest(r.tags) as t(tag) on true` : sql``;
        const { rows } = await sql<{ g: string | null; b: string; cost: string }>`
          select ${column} as g,
            to_char(date_trunc(${granularity}, r.created_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"') as b,
            sum(r.total_cost)::text as cost
          from requests r ${tags}
          where r.user_id = ${f.a.user.id} and r.created_at >= ${D(from)} and r.created_at < ${D(to)}
          group by 1, 2`.execute(f.db);
        const none = { tag: "(untagged)", key: "(no key)", team: "(no team)" }[dimension];
        const expected = new Map<string, number[]>();
        for (const row of rows) {
          const name = row.g ?? none;
          const series = expected.get(name) ?? data.labels.map(() => 0);
          series[data.labels.indexOf(row.b)] = Number(canonical(row.cost));
          expected.set(name, series);
        }
        const got = new Map<string, number[]>(
          (data.series as { name: string; data: number[] }[]).map((s) => [s.name, s.data]),
        );
        expect(got).toEqual(expected);
        for (const s of data.series as { name: string; group: string | null; label: string | null }[]) {
          expect(s.group).toBe(s.name === none ? null : s.name);
          if (dimension === "team" && s.group === team.id) expect(s.label).toBe(team.name);
          if (dimension === "key" && s.group === ciKey.id) expect(s.label).toBe("ci");
        }
      }
    }
  });

  it("charts the biggest series up to limit and the rest as (other)", async () => {
    const query = { type: "requests", group_by: "tag", from: FROM, to: TO };
    const full = (await f.get("usage/charts", { ...query, limit: 100 })).body.data;
    const capped = await f.get("usage/charts", { ...query, limit: 4 });
    expect(capped.status).toBe(200);
    const series = capped.body.data.series as { name: string; data: number[]; group: string | null }[];
    expect(series.map((s) => s.name)).toEqual([
      ...full.series.slice(0, 4).map((s: { name: string }) => s.name),
      "(other)",
    ]);
    const other = series[4];
    const rest = (full.series as { data: number[] }[]).slice(4);
    expect(other?.data).toEqual(
      full.labels.map((_: string, i: number) => rest.reduce((n, s) => n + (s.data[i] ?? 0), 0)),
    );
    expect(other?.group).toBeNull();
    // Provider and model charts keep their shape: no group fields (a cost chart's exact strings only).
    const byModel = await f.get("usage/charts", { type: "cost", group_by: "model", from: FROM, to: TO });
    expect(Object.keys(byModel.body.data.series[0]).sort()).toEqual([
      "data",
      "data_exact",
      "name",
      "total_exact",
    ]);
  });

  it("answers the typed client like the REST route", async () => {
    const client = createLlmgClient({ baseUrl: f.t.url, apiKey: f.a.key });
    const viaClient = await client.usage.summary.query({ from: FROM, to: TO, group_by: "key", limit: 2 });
    const viaRest = await summary({ from: FROM, to: TO, group_by: "key", limit: 2 });
    expect(viaClient.data.groups).toEqual(viaRest.body.data.groups);
    expect(viaClient.data.other).toEqual(viaRest.body.data.other);
    const chart = await client.usage.charts.query({ type: "requests", group_by: "team", from: FROM, to: TO });
    expect(chart.data.group_by).toBe("team");
  });

  it("documents group_by and limit in OpenAPI", async () => {
    const doc = (await call(`${f.t.url}/openapi.json`)).body;
    for (const path of ["/usage/summary", "/usage/charts"]) {
      const get = doc.paths[path].get;
      const params = new Map(
        (get.parameters as { name: string; schema: { enum?: string[] } }[]).map((p) => [p.name, p]),
      );
      expect(params.get("group_by")?.schema.enum).toEqual(
        expect.arrayContaining(["tag", "key", "team", "model", "provider"]),
      );
      expect(params.has("limit")).toBe(true);
      expect(get.description).toContain("counts fully in each tag's group");
      expect(get.description).toContain("(untagged)");
    }
  });

  it("refuses bad group_by and limit with a 400 naming the field", async () => {
    const cases: [string, Record<string, string | number>, string][] = [
      ["usage/summary", { group_by: "user" }, "group_by"],
      ["usage/summary", { group_by: "none" }, "group_by"],
      ["usage/summary", { group_by: "tag", limit: 0 }, "limit"],
      ["usage/summary", { group_by: "tag", limit: 101 }, "limit"],
      ["usage/summary", { group_by: "tag", limit: "2.5" }, "limit"],
      ["usage/summary", { group_by: "tag", limit: "lots" }, "limit"],
      ["usage/summary", { limit: 5 }, "limit"],
      ["usage/charts", { type: "cost", limit: 5 }, "limit"],
      ["usage/charts", { type: "cost", group_by: "tags" }, "group_by"],
    ];
    for (const [path, query, field] of cases) {
      const res = await f.get(path, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error).toBe("validation_error");
      expect(res.body.details[0].field, JSON.stringify(query)).toBe(field);
    }
  });
});
