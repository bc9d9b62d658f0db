import { createLlmgClient, llmgErrorCode } from "@llmg/client";
import { addDecimals } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, readSse, startChatFixture } from "./chat-harness";
import { call, createUserWithKey } from "./harness";

const MESSAGES = [{ role: "user", content: "Hello" }];

describe.each(testBackends())("tags and agent runs on %s", (kind) => {
  let f: ChatFixture;
  const api = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
    call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      headers,
      body: { provider: "openai", model: "gpt-4o-mini", messages: MESSAGES, ...body },
    });
  const v1 = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
    call(`${f.t.url}/v1/chat/completions`, {
      key: f.user.key,
      headers,
      body: { model: "openai/gpt-4o-mini", messages: MESSAGES, ...body },
    });
  const stream = (path: "api" | "v1", headers: Record<string, string>) =>
    fetch(`${f.t.url}/${path}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json", ...headers },
      body: JSON.stringify({
        ...(path === "api" ? { provider: "openai", model: "gpt-4o-mini" } : { model: "openai/gpt-4o-mini" }),
        messages: MESSAGES,
        stream: true,
      }),
    });
  const row = async (id: string) => {
    const { rows } = await sql<{ tags: string[]; run_id: string | null; run_budget_usd: string | null }>`
      select tags, run_id, run_budget_usd::text as run_budget_usd from requests where id = ${id}`.execute(
      f.t.gateway.services.db,
    );
    return rows[0];
  };
  const rowCount = async () => {
    const { rows } = await sql<{ n: string }>`select count(*)::text as n from requests`.execute(
      f.t.gateway.services.db,
    );
    return Number(rows[0]?.n);
  };

  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_PROVIDER_MAX_RETRIES: "0" });
  });
  afterAll(async () => {
    await f?.close();
  });

  describe("attribution of calls", () => {
    it("records the union of x-llmg-tags and metadata.tags, lowercase, without duplicates (/api JSON)", async () => {
      const res = await api(
        { "x-llmg-tags": " Feature:Search , team/web,feature:search", "x-llmg-run-id": "run-A1" },
        { metadata: { tags: ["team/web", "ci.nightly"], team: "web" } },
      );
      expect(res.status).toBe(200);
      expect(await row(res.body.request_id)).toEqual({
        tags: ["feature:search", "team/web", "ci.nightly"],
        run_id: "run-A1",
        run_budget_usd: null,
      });
      const detail = await call(`${f.t.url}/api/usage/requests/${res.body.request_id}`, { key: f.user.key });
      expect(detail.body.data).toMatchObject({
        tags: ["feature:search", "team/web", "ci.nightly"],
        run_id: "run-A1",
        run_budget_usd: null,
        // The metadata is kept as sent, tags included.
        metadata: { tags: ["team/web", "ci.nightly"], team: "web" },
      });
    });

    it("takes metadata.tags from the x-llmg-metadata header and stores the run budget exactly (/v1 JSON)", async () => {
      const res = await v1({
        "x-llmg-metadata": JSON.stringify({ tags: ["from-header"] }),
        "x-llmg-run-id": "run-B",
        "x-llmg-run-budget-usd": "2.5000000001",
      });
      expect(res.status).toBe(200);
      const id = res.headers.get("x-llmg-request-id") as string;
      expect(await row(id)).toEqual({
        tags: ["from-header"],
        run_id: "run-B",
        run_budget_usd: "2.5000000001",
      });
      const detail = await call(`${f.t.url}/api/usage/requests/${id}`, { key: f.user.key });
      expect(detail.body.data.run_budget_usd).toBe("2.5000000001");
    });

    it("records tags and run on streamed calls of both surfaces", async () => {
      for (const path of ["api", "v1"] as const) {
        const res = await stream(path, { "x-llmg-tags": `stream-${path}`, "x-llmg-run-id": "run-S" });
        expect(res.status).toBe(200);
        const events = await readSse(res);
        expect(events.at(-1)).toBe("[DONE]");
        const id = res.headers.get("x-llmg-request-id") as string;
        expect(await row(id)).toEqual({ tags: [`stream-${path}`], run_id: "run-S", run_budget_usd: null });
      }
    });

    it("records no tags and no run when none are sent, and treats empty headers as not sent", async () => {
      const res = await api({ "x-llmg-tags": "  ", "x-llmg-run-id": "" });
      expect(res.status).toBe(200);
      expect(await row(res.body.request_id)).toEqual({ tags: [], run_id: null, run_budget_usd: null });
    });

    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`);
    const refusals: [string, Record<string, string>, Record<string, unknown>, string][] = [
      ["a tag outside the charset", { "x-llmg-tags": "ok,not ok" }, {}, "x-llmg-tags"],
      ["an empty item", { "x-llmg-tags": "a,,b" }, {}, "x-llmg-tags"],
      ["a tag of 65 characters", { "x-llmg-tags": "a".repeat(65) }, {}, "x-llmg-tags"],
      [
        "a non-ASCII letter that lowercases to ASCII",
        {},
        { metadata: { tags: ["\u212A"] } },
        "metadata.tags",
      ],
      ["11 tags in the header", { "x-llmg-tags": eleven.join(",") }, {}, "x-llmg-tags"],
      ["11 tags in metadata", {}, { metadata: { tags: eleven } }, "metadata.tags"],
      ["metadata.tags not an array", {}, { metadata: { tags: "a,b" } }, "metadata.tags"],
      ["metadata.tags with a number", {}, { metadata: { tags: ["a", 1] } }, "metadata.tags"],
      // Refused by the metadata check first, which names the element.
      ["metadata.tags with a NUL", {}, { metadata: { tags: ["a\u0000"] } }, "metadata.tags.0"],
      [
        "11 distinct tags together",
        { "x-llmg-tags": eleven.slice(0, 6).join(",") },
        { metadata: { tags: eleven.slice(5) } },
        "x-llmg-tags",
      ],
      ["a run id with a slash", { "x-llmg-run-id": "a/b" }, {}, "x-llmg-run-id"],
      ["a run id of 129 characters", { "x-llmg-run-id": "r".repeat(129) }, {}, "x-llmg-run-id"],
      ["a run budget without a run", { "x-llmg-run-budget-usd": "1" }, {}, "x-llmg-run-budget-usd"],
      [
        "a zero run budget",
        { "x-llmg-run-id": "r", "x-llmg-run-budget-usd": "0.000" },
        {},
        "x-llmg-run-budget-usd",
      ],
      [
        "a negative run budget",
        { "x-llmg-run-id": "r", "x-llmg-run-budget-usd": "-1" },
        {},
        "x-llmg-run-budget-usd",
      ],
      ["an exponent", { "x-llmg-run-id": "r", "x-llmg-run-budget-usd": "1e3" }, {}, "x-llmg-run-budget-usd"],
      [
        "11 decimals",
        { "x-llmg-run-id": "r", "x-llmg-run-budget-usd": "1.00000000001" },
        {},
        "x-llmg-run-budget-usd",
      ],
      [
        "just over the largest limit",
        { "x-llmg-run-id": "r", "x-llmg-run-budget-usd": "1000000.0000000001" },
        {},
        "x-llmg-run-budget-usd",
      ],
    ];

    it.each(refusals)(
      "refuses %s with a 400 naming the field, before any provider call or row",
      async (_, headers, body, field) => {
        const sent = f.fakes.openai.requestCount;
        const rows = await rowCount();
        const onApi = await api(headers, body);
        expect(onApi.status).toBe(400);
        expect(onApi.body).toMatchObject({ success: false, error: "validation_error" });
        expect(onApi.body.details[0].field).toBe(field);
        const onV1 = await v1(headers, body);
        expect(onV1.status).toBe(400);
        expect(onV1.body.error).toMatchObject({ code: "validation_error", param: field });
        if (Object.keys(body).length === 0) {
          // The stream route checks the headers before anything is sent, too.
          const streamed = await stream("api", headers);
          expect(streamed.status).toBe(400);
          expect(((await streamed.json()) as { details: { field: string }[] }).details[0]?.field).toBe(field);
        }
        expect(f.fakes.openai.requestCount - sent).toBe(0);
        expect((await rowCount()) - rows).toBe(0);
      },
    );

    it("accepts exactly 10 tags and the largest run budget", async () => {
      const ten = Array.from({ length: 10 }, (_, i) => `t${i}`);
      const res = await api(
        {
          "x-llmg-tags": ten.slice(0, 5).join(","),
          "x-llmg-run-id": "run-max",
          "x-llmg-run-budget-usd": "1000000",
        },
        { metadata: { tags: ten.slice(3) } },
      );
      expect(res.status).toBe(200);
      expect(await row(res.body.request_id)).toEqual({
        tags: ten,
        run_id: "run-max",
        run_budget_usd: "1000000",
      });
    });
  });

  describe("GET /api/usage/runs/{runId} and history filters", () => {
    const runIds: string[] = [];
    let other: Awaited<ReturnType<typeof createUserWithKey>>;

    beforeAll(async () => {
      f.fakes.openai.reset();
      for (let i = 0; i < 5; i++) {
        if (i === 3) f.fakes.openai.enqueue({ type: "error", status: 500 });
        else
          f.fakes.openai.enqueue({
            type: "success",
            content: "ok",
            usage: { prompt: 100 + i, completion: 10 },
          });
        const res = await api(
          {
            "x-llmg-run-id": "agent-7",
            "x-llmg-tags": i % 2 === 0 ? "even" : "odd",
            "x-llmg-run-budget-usd": `0.${i + 1}`,
          },
          {},
        );
        runIds.push(res.headers.get("x-llmg-request-id") as string);
      }
      // The same run id from another user must never show in this user's run.
      other = await createUserWithKey(f.t);
      await call(`${f.t.url}/api/credentials`, {
        key: other.key,
        body: { provider: "openai", name: "fake", api_key: "test-provider-key-0123456789" },
      });
      const theirs = await call(`${f.t.url}/api/chat/completions`, {
        key: other.key,
        headers: { "x-llmg-run-id": "agent-7", "x-llmg-tags": "even" },
        body: { provider: "openai", model: "gpt-4o-mini", messages: MESSAGES },
      });
      expect(theirs.status).toBe(200);
    });

    it("gives the run's calls oldest first and totals equal to straight SQL", async () => {
      const res = await call(`${f.t.url}/api/usage/runs/agent-7`, { key: f.user.key });
      expect(res.status).toBe(200);
      expect(res.body.run_id).toBe("agent-7");
      expect(res.body.data.map((r: { id: string }) => r.id)).toEqual(runIds);
      expect(res.body.pagination).toMatchObject({ page: 1, total: 5, total_pages: 1, next_cursor: null });

      const { rows } = await sql<Record<string, string>>`
        select count(*)::text as calls, count(*) filter (where status = 'error')::text as failed,
          sum(prompt_tokens)::text as prompt, sum(completion_tokens)::text as completion,
          sum(total_cost)::text as cost, min(created_at) as first, max(created_at) as last
        from requests where user_id = ${f.user.user.id} and run_id = 'agent-7'`.execute(
        f.t.gateway.services.db,
      );
      const expected = rows[0] as Record<string, string>;
      expect(expected.calls).toBe("5");
      const totals = res.body.totals;
      expect(totals).toMatchObject({
        calls: 5,
        successful: 4,
        failed: 1,
        prompt_tokens: Number(expected.prompt),
        completion_tokens: Number(expected.completion),
        total_tokens: Number(expected.prompt) + Number(expected.completion),
        first_call_at: new Date(expected.first as string).toISOString(),
        last_call_at: new Date(expected.last as string).toISOString(),
        budget_usd: "0.5",
      });
      const perCall = res.body.data.map((r: { total_cost_exact: string }) => r.total_cost_exact);
      expect(totals.cost_usd_exact).toBe(perCall.reduce((a: string, b: string) => addDecimals(a, b), "0"));
      expect(Number(totals.cost_usd_exact)).toBeGreaterThan(0);
      expect(totals.cost_usd_exact).toBe(addDecimals(expected.cost as string, "0"));
    });

    it("pages a run by number and by cursor, newest first on request", async () => {
      const p1 = await call(`${f.t.url}/api/usage/runs/agent-7?per_page=2&order=desc`, { key: f.user.key });
      expect(p1.body.data.map((r: { id: string }) => r.id)).toEqual([runIds[4], runIds[3]]);
      expect(p1.body.pagination).toMatchObject({ total: 5, total_pages: 3 });
      const p2 = await call(
        `${f.t.url}/api/usage/runs/agent-7?per_page=2&order=desc&cursor=${p1.body.pagination.next_cursor}`,
        { key: f.user.key },
      );
      expect(p2.body.data.map((r: { id: string }) => r.id)).toEqual([runIds[2], runIds[1]]);
      const p3 = await call(`${f.t.url}/api/usage/runs/agent-7?per_page=2&order=desc&page=3`, {
        key: f.user.key,
      });
      expect(p3.body.data.map((r: { id: string }) => r.id)).toEqual([runIds[0]]);
      expect(p3.body.pagination.next_cursor).toBeNull();
    });

    it("answers 404 for a run the caller has no call in, including another user's, and 400 for a bad id", async () => {
      const mine = await call(`${f.t.url}/api/usage/runs/agent-7`, { key: other.key });
      expect(mine.status).toBe(200);
      expect(mine.body.totals.calls).toBe(1);
      const none = await call(`${f.t.url}/api/usage/runs/run-B`, { key: other.key });
      expect(none.status).toBe(404);
      expect(none.body.error).toBe("not_found");
      const unknown = await call(`${f.t.url}/api/usage/runs/never-used`, { key: f.user.key });
      expect(unknown.status).toBe(404);
      const bad = await call(`${f.t.url}/api/usage/runs/${encodeURIComponent("bad id!")}`, {
        key: f.user.key,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].field).toBe("runId");
    });

    it("is typed in the client, over tRPC too", async () => {
      const client = createLlmgClient({ baseUrl: f.t.url, apiKey: f.user.key });
      const run = await client.usage.run.query({ runId: "agent-7", per_page: 2 });
      const totals: { calls: number; cost_usd_exact: string; budget_usd: string | null } = run.totals;
      expect(totals.calls).toBe(5);
      expect(run.data.map((r) => r.run_id)).toEqual(["agent-7", "agent-7"]);
      const history = await client.usage.requests.query({ tag: "odd", run_id: "agent-7" });
      expect(history.data.map((r) => r.id)).toEqual([runIds[3], runIds[1]]);
      const missing = await client.usage.run.query({ runId: "never-used" }).catch((e: unknown) => e);
      expect(llmgErrorCode(missing)).toBe("not_found");
    });

    it("filters the request history by tag and by run_id, with exact totals", async () => {
      const even = await call(`${f.t.url}/api/usage/requests?tag=EVEN&run_id=agent-7`, { key: f.user.key });
      expect(even.status).toBe(200);
      expect(even.body.data.map((r: { id: string }) => r.id)).toEqual([runIds[4], runIds[2], runIds[0]]);
      expect(even.body.pagination.total).toBe(3);
      expect(even.body.data[0]).toMatchObject({ tags: ["even"], run_id: "agent-7" });

      const { rows } = await sql<{ n: string }>`select count(*)::text as n from requests
        where user_id = ${f.user.user.id} and 'feature:search' = any(tags)`.execute(f.t.gateway.services.db);
      const tagged = await call(`${f.t.url}/api/usage/requests?tag=feature:search`, { key: f.user.key });
      expect(tagged.body.pagination.total).toBe(Number(rows[0]?.n));
      expect(tagged.body.pagination.total).toBe(1);

      const run = await call(`${f.t.url}/api/usage/requests?run_id=run-S`, { key: f.user.key });
      expect(run.body.pagination.total).toBe(2);
      const badTag = await call(`${f.t.url}/api/usage/requests?tag=a%20b`, { key: f.user.key });
      expect(badTag.status).toBe(400);
      expect(badTag.body.details[0].field).toBe("tag");
    });
  });
});
