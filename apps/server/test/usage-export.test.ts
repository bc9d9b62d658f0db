import { addDecimals } from "@llmg/core";
import { EXPORT_COLUMNS, insertRequests, type NewRequestRow } from "@llmg/db";
import { testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./harness";
import { generate, rollUp, startUsageFixture, type UsageFixture } from "./usage-fixture";

const FROM = "2025-04-01T00:00:00Z";
const TO = "2025-04-08T00:00:00Z";

/** RFC 4180, written here independently of the server's encoder: quoted fields, doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  expect(field, "the file ends with a line break").toBe("");
  return rows;
}

async function download(f: UsageFixture, query: Record<string, string>, key = f.a.key) {
  const res = await fetch(`${f.t.url}/api/usage/export?${new URLSearchParams(query)}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { res, text: await res.text() };
}

describe.each(testBackends())("GET /api/usage/export on %s", (kind) => {
  let f: UsageFixture;
  let rowsA: NewRequestRow[];

  beforeAll(async () => {
    f = await startUsageFixture(kind);
    // More rows than one page of the reader (2,000), so the keyset continues across pages.
    rowsA = await generate(f.db, {
      userId: f.a.user.id,
      from: new Date(FROM),
      to: new Date(TO),
      count: 4_500,
      seed: 7,
    });
    await generate(f.db, {
      userId: f.b.user.id,
      from: new Date(FROM),
      to: new Date(TO),
      count: 300,
      seed: 8,
    });
    // Two rows at the same instant (the keyset's tie-break is the id) and one made to break a CSV.
    const at = new Date("2025-04-03T12:00:00.123456Z");
    const base = rowsA[0] as NewRequestRow;
    const odd: NewRequestRow[] = [
      { ...base, id: "req_tie_a", created_at: at },
      { ...base, id: "req_tie_b", created_at: at },
      {
        ...base,
        id: "req_odd",
        model: 'odd,"model"\nname',
        tags: ["=HYPERLINK(1)", "plain"],
        total_cost: "0.000000001",
        created_at: at,
      },
    ];
    await insertRequests(f.db, odd);
    // A JS Date holds milliseconds; the column holds microseconds, and so must the export.
    await sql`update requests set created_at = '2025-04-03T12:00:00.123456Z'
      where id in ('req_tie_a', 'req_tie_b', 'req_odd')`.execute(f.db);
    rowsA.push(...odd);
    // Half the range rolled up: aggregates read rollups for closed days and raw rows for the rest.
    await rollUp(f.db);
    await generate(f.db, {
      userId: f.a.user.id,
      from: new Date("2025-04-06T00:00:00Z"),
      to: new Date(TO),
      count: 200,
      seed: 9,
      idPrefix: "req_late",
    }).then((late) => rowsA.push(...late));
  }, 240_000);

  afterAll(async () => {
    await f?.close();
  });

  it("streams every request of the range as CSV: header, one line each, oldest first, exact costs", async () => {
    const { res, text } = await download(f, { from: FROM, to: TO });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="llmg-usage-requests-2025-04-01-2025-04-08.csv"',
    );
    // Written as read: no length known up front.
    expect(res.headers.get("content-length")).toBeNull();
    const [header, ...lines] = parseCsv(text);
    expect(header).toEqual([...EXPORT_COLUMNS]);
    expect(lines).toHaveLength(rowsA.length);
    const col = (name: string) => (header as string[]).indexOf(name);
    const ids = lines.map((l) => l[col("id")]);
    expect(new Set(ids).size).toBe(rowsA.length);
    expect(new Set(ids)).toEqual(new Set(rowsA.map((r) => r.id)));
    const times = lines.map((l) => l[col("created_at")] as string);
    expect([...times].sort()).toEqual(times);
    expect(times).toContain("2025-04-03T12:00:00.123456Z");

    const expected = await sql<{ total: string }>`
      select sum(total_cost)::text as total from requests
      where user_id = ${f.a.user.id} and created_at >= ${new Date(FROM)} and created_at < ${new Date(TO)}`.execute(
      f.db,
    );
    const total = addDecimals(...lines.map((l) => l[col("total_cost")] as string));
    expect(addDecimals(total, "0")).toBe(addDecimals(expected.rows[0]?.total ?? "0", "0"));

    const odd = lines.find((l) => l[col("id")] === "req_odd") as string[];
    expect(odd[col("model")]).toBe('odd,"model"\nname');
    // A spreadsheet would run a leading "=" as a formula: it stays text.
    expect(odd[col("tags")]).toBe("'=HYPERLINK(1);plain");
    expect(odd[col("total_cost")]).toBe("0.000000001");
  });

  it("writes the same rows as JSON Lines", async () => {
    const { res, text } = await download(f, { from: FROM, to: TO, format: "jsonl" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const lines = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(rowsA.length);
    const odd = lines.find((l) => l.id === "req_odd");
    expect(odd).toMatchObject({
      model: 'odd,"model"\nname',
      tags: ["=HYPERLINK(1)", "plain"],
      total_cost: "0.000000001",
    });
    expect(Object.keys(odd)).toEqual([...EXPORT_COLUMNS]);
  });

  it("exports daily aggregates per model equal to a straight SQL sum over the raw rows", async () => {
    const { res, text } = await download(f, { from: FROM, to: TO, group_by: "day,model" });
    expect(res.status).toBe(200);
    const [header, ...lines] = parseCsv(text);
    expect(header).toEqual([
      "day",
      "provider",
      "model",
      "requests",
      "errors",
      "prompt_tokens",
      "completion_tokens",
      "cached_tokens",
      "cache_write_tokens",
      "reasoning_tokens",
      "cost_usd",
    ]);
    const { rows } = await sql<{
      day: string;
      provider: string;
      model: string;
      requests: string;
      cost: string;
    }>`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, provider, model,
        count(*)::text as requests, sum(total_cost)::text as cost
      from requests
      where user_id = ${f.a.user.id} and created_at >= ${new Date(FROM)} and created_at < ${new Date(TO)}
      group by 1, 2, 3`.execute(f.db);
    const key = (day: string, provider: string, model: string) => `${day}|${provider}|${model}`;
    const want = new Map(
      rows.map((r) => [key(r.day, r.provider, r.model), [r.requests, addDecimals(r.cost, "0")]]),
    );
    const got = new Map(lines.map((l) => [key(l[0]!, l[1]!, l[2]!), [l[3], addDecimals(l[10]!, "0")]]));
    expect(got).toEqual(want);
  });

  it("answers bad queries with a 400 naming the field, before any byte of the file", async () => {
    for (const [query, field] of [
      [{ format: "xml" }, "format"],
      [{ group_by: "day,week" }, "group_by"],
      [{ from: "2025-13-01" }, "from"],
      [{ from: "2025-04-08", to: "2025-04-01" }, "from"],
      [{ from: "2000-01-01", to: "2025-01-01" }, "from"],
      [{ limit: "5" }, "limit"],
    ] as const) {
      const res = await call(`${f.t.url}/api/usage/export?${new URLSearchParams(query)}`, { key: f.a.key });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error).toBe("validation_error");
      expect(JSON.stringify(res.body.details), JSON.stringify(query)).toContain(`"${field}`);
      expect(res.body.request_id).toMatch(/^req_/);
    }
  });

  it("needs a user's key with the read scope; another user's rows never appear", async () => {
    expect((await call(`${f.t.url}/api/usage/export`)).status).toBe(401);
    expect((await call(`${f.t.url}/api/usage/export`, { key: f.t.adminKey })).status).toBe(403);
    const chatOnly = await call(`${f.t.url}/api/keys`, {
      key: f.a.key,
      body: { name: "chat only", scopes: ["chat"] },
    });
    expect(chatOnly.status).toBe(201);
    const refused = await call(`${f.t.url}/api/usage/export`, { key: chatOnly.body.data.key });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe("insufficient_scope");
    const { text } = await download(f, { from: FROM, to: TO, format: "jsonl" }, f.b.key);
    const ids = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l).id as string);
    expect(ids).toHaveLength(300);
    expect(ids.some((id) => rowsA.some((r) => r.id === id))).toBe(false);
  });

  it("is in the OpenAPI document with its parameters", async () => {
    const doc = (await call(`${f.t.url}/openapi.json`)).body;
    const op = doc.paths["/usage/export"].get;
    expect(op.operationId).toBe("usage-export");
    expect(op.parameters.map((p: any) => p.name).sort()).toEqual(["format", "from", "group_by", "to"]);
    expect(Object.keys(op.responses)).toEqual(["200", "400", "401", "403"]);
    expect(op.responses["400"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/ErrorEnvelope",
    );
  });
});
