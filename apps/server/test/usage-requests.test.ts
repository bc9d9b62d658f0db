import { testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./harness";
import { generate, rollUp, startUsageFixture, type UsageFixture } from "./usage-fixture";

const D = (iso: string) => new Date(iso);
const SORT_SQL = {
  created_at: "created_at",
  cost: "total_cost",
  latency: "latency_ms",
  total_tokens: "(prompt_tokens + completion_tokens)",
} as const;

describe.each(testBackends())("request history over HTTP on %s", (kind) => {
  let f: UsageFixture;
  let otherKeyId: string;

  /** Ids in the order SQL gives for a sort, with optional extra conditions. */
  async function expectedIds(
    sort: keyof typeof SORT_SQL,
    order: "asc" | "desc",
    where = sql``,
  ): Promise<string[]> {
    const dir = sql.raw(order);
    const { rows } = await sql<{ id: string }>`
      select id from requests where user_id = ${f.a.user.id} ${where}
      order by ${sql.raw(SORT_SQL[sort])} ${dir}, id ${dir}`.execute(f.db);
    return rows.map((r) => r.id);
  }

  beforeAll(async () => {
    f = await startUsageFixture(kind);
    const key = await call(`${f.t.url}/api/keys`, { key: f.a.key, body: { name: "second" } });
    otherKeyId = key.body.data.id;
    await generate(f.db, {
      userId: f.a.user.id,
      count: 230,
      from: D("2025-05-01T00:00:00Z"),
      to: D("2025-05-08T00:00:00Z"),
      seed: 21,
      apiKeyIds: [f.a.keyId, otherKeyId],
    });
    await rollUp(f.db);
    // Same timestamps for several rows, so ties are broken by id across page boundaries.
    const tie = D("2025-05-04T12:00:00Z");
    const rows = await generate(f.db, {
      userId: f.a.user.id,
      count: 25,
      from: tie,
      to: new Date(tie.getTime() + 1),
      seed: 22,
      idPrefix: "tie",
    });
    expect(rows.every((r) => (r.created_at as Date).getTime() === tie.getTime())).toBe(true);
    await generate(f.db, {
      userId: f.b.user.id,
      count: 15,
      from: D("2025-05-01T00:00:00Z"),
      to: D("2025-05-08T00:00:00Z"),
      seed: 23,
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("pages newest first with totals, and page numbers and cursors walk the same rows", async () => {
    const first = await f.get("usage/requests");
    expect(first.status).toBe(200);
    expect(first.body.pagination).toMatchObject({ page: 1, per_page: 20, total: 255, total_pages: 13 });
    expect(first.body.data).toHaveLength(20);
    const row = first.body.data[0];
    expect(Object.keys(row)).toEqual(
      expect.arrayContaining([
        "id",
        "created_at",
        "provider",
        "model",
        "status",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "total_cost",
        "total_cost_exact",
        "latency_ms",
      ]),
    );
    expect(row.total_tokens).toBe(row.prompt_tokens + row.completion_tokens);

    const expected = await expectedIds("created_at", "desc");
    const byPage: string[] = [];
    for (let page = 1; page <= 13; page++) {
      const res = await f.get("usage/requests", { page });
      byPage.push(...res.body.data.map((r: { id: string }) => r.id));
      expect(res.body.pagination.next_cursor === null).toBe(page === 13);
    }
    expect(byPage).toEqual(expected);

    const byCursor: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res: Awaited<ReturnType<typeof f.get>> = await f.get("usage/requests", cursor ? { cursor } : {});
      page += 1;
      expect(res.body.pagination.page).toBe(page);
      byCursor.push(...res.body.data.map((r: { id: string }) => r.id));
      cursor = res.body.pagination.next_cursor;
    } while (cursor);
    expect(byCursor).toEqual(expected);
  });

  it("sorts by each whitelisted key both ways, ties broken by id", async () => {
    for (const sort of ["cost", "latency", "total_tokens", "created_at"] as const) {
      for (const order of ["asc", "desc"] as const) {
        const expected = await expectedIds(sort, order);
        const got: string[] = [];
        for (let page = 1; page <= 3; page++) {
          const res = await f.get("usage/requests", { sort, order, per_page: 100, page });
          expect(res.status).toBe(200);
          got.push(...res.body.data.map((r: { id: string }) => r.id));
        }
        expect(got, `${sort} ${order}`).toEqual(expected);
        // A cursor from the middle continues exactly where page 2 would start.
        const one = await f.get("usage/requests", { sort, order, per_page: 100 });
        const two = await f.get("usage/requests", {
          sort,
          order,
          per_page: 100,
          cursor: one.body.pagination.next_cursor,
        });
        expect(two.body.data.map((r: { id: string }) => r.id)).toEqual(expected.slice(100, 200));
      }
    }
  });

  it("filters by provider, model, status, time, minimum cost and key, with matching totals", async () => {
    const cases: [Record<string, string>, ReturnType<typeof sql>][] = [
      [{ provider: "anthropic" }, sql`and provider = 'anthropic'`],
      [{ model: "gpt-4o-mini" }, sql`and model = 'gpt-4o-mini'`],
      [{ status: "error" }, sql`and status = 'error'`],
      [{ status: "success", provider: "openai" }, sql`and status = 'success' and provider = 'openai'`],
      [
        { from: "2025-05-02T06:30:00Z", to: "2025-05-04" },
        sql`and created_at >= '2025-05-02T06:30:00Z' and created_at < '2025-05-05T00:00:00Z'`,
      ],
      [{ min_cost: "0.01" }, sql`and total_cost >= 0.01`],
      [{ api_key_id: "x" }, sql`and api_key_id = ${"x"}`],
    ];
    cases.push([{ api_key_id: otherKeyId }, sql`and api_key_id = ${otherKeyId}`]);
    for (const [query, where] of cases) {
      const expected = await expectedIds("created_at", "desc", where);
      const res = await f.get("usage/requests", { ...query, per_page: 100 });
      expect(res.status, JSON.stringify(query)).toBe(200);
      expect(res.body.pagination.total, JSON.stringify(query)).toBe(expected.length);
      expect(res.body.data.map((r: { id: string }) => r.id)).toEqual(expected.slice(0, 100));
    }
    const minCost = await f.get("usage/requests", {
      min_cost: "0.01",
      sort: "cost",
      order: "asc",
      per_page: 5,
    });
    expect(
      minCost.body.data.every((r: { total_cost_exact: string }) => Number(r.total_cost_exact) >= 0.01),
    ).toBe(true);
  });

  it("handles pagination edges: last partial page, past the end, empty results", async () => {
    const last = await f.get("usage/requests", { per_page: 100, page: 3 });
    expect(last.body.data).toHaveLength(55);
    expect(last.body.pagination).toMatchObject({ page: 3, total: 255, total_pages: 3, next_cursor: null });
    const past = await f.get("usage/requests", { per_page: 100, page: 50 });
    expect(past.status).toBe(200);
    expect(past.body.data).toEqual([]);
    expect(past.body.pagination).toMatchObject({ page: 50, total: 255, next_cursor: null });
    const none = await f.get("usage/requests", { from: "2024-01-01", to: "2024-02-01" });
    expect(none.body.data).toEqual([]);
    expect(none.body.pagination).toMatchObject({ total: 0, total_pages: 0, next_cursor: null });
    const exact = await f.get("usage/requests", { per_page: 85, page: 3 });
    expect(exact.body.data).toHaveLength(85);
    expect(exact.body.pagination.next_cursor).toBeNull();
    const b = await f.get("usage/requests", {}, f.b.key);
    expect(b.body.pagination.total).toBe(15);
  });

  it("refuses bad input with a 400 naming the field", async () => {
    const other = await f.get("usage/requests", { sort: "cost" });
    const cursor = other.body.pagination.next_cursor as string;
    const cases: [Record<string, string | number>, string][] = [
      [{ per_page: 1000 }, "per_page"],
      [{ per_page: 0 }, "per_page"],
      [{ page: 0 }, "page"],
      [{ page: "two" }, "page"],
      [{ sort: "price" }, "sort"],
      [{ order: "up" }, "order"],
      [{ status: "ok" }, "status"],
      [{ min_cost: "-1" }, "min_cost"],
      [{ from: "2025-05-09", to: "2025-05-01" }, "from"],
      [{ cursor: "not-a-cursor" }, "cursor"],
      [{ cursor }, "cursor"],
      [{ cursor, sort: "cost", provider: "openai" }, "cursor"],
    ];
    for (const [query, field] of cases) {
      const res = await f.get("usage/requests", query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: "validation_error" });
      expect(res.body.details[0].field, JSON.stringify(query)).toBe(field);
    }
  });

  it("returns every recorded field of one request, and 404 for another user's", async () => {
    const { rows } = await sql<{
      id: string;
    }>`select id from requests where user_id = ${f.a.user.id} and stream and status = 'success' limit 1`.execute(
      f.db,
    );
    const id = rows[0]?.id as string;
    const res = await f.get(`usage/requests/${id}`);
    expect(res.status).toBe(200);
    const row = await f.db.selectFrom("requests").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(res.body.data).toMatchObject({
      id,
      created_at: row.created_at.toISOString(),
      provider: row.provider,
      model: row.model,
      endpoint: row.endpoint,
      stream: true,
      status: "success",
      http_status: 200,
      api_key_id: row.api_key_id,
      credential_id: null,
      prompt_tokens: row.prompt_tokens,
      cached_tokens: row.cached_tokens,
      cache_write_tokens: 0,
      reasoning_tokens: row.reasoning_tokens,
      usage_estimated: false,
      latency_ms: row.latency_ms,
      ttft_ms: row.ttft_ms,
      ip: "127.0.0.1",
      user_agent: "llmg-generator",
      metadata: null,
      request_body: null,
    });
    expect(Number(res.body.data.prompt_cost_exact) + Number(res.body.data.completion_cost_exact)).toBeCloseTo(
      Number(res.body.data.total_cost_exact),
      12,
    );
    expect(res.body.data).not.toHaveProperty("txid");

    const { rows: theirs } = await sql<{
      id: string;
    }>`select id from requests where user_id = ${f.b.user.id} limit 1`.execute(f.db);
    const other = await f.get(`usage/requests/${theirs[0]?.id}`);
    expect(other.status).toBe(404);
    expect(other.body.error).toBe("not_found");
    expect((await f.get("usage/requests/req_nope")).status).toBe(404);
  });
});
