import { addDecimals, defaultCatalog, maxCostFor } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, readSse, startChatFixture } from "./chat-harness";
import { call, createUserWithKey } from "./harness";

/** Accounting that one row can't break: one tenant's poison never costs another tenant its rows. */

const POISON = "poison \u0000 NUL and a lone \ud800 surrogate";

async function streamOnce(f: ChatFixture, key: string, content: string) {
  const res = await fetch(`${f.t.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content }],
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  const id = res.headers.get("x-llmg-request-id") as string;
  const events = (await readSse(res)) as ({ usage?: { cost_usd: string } } | string)[];
  const usage = events.find((e) => typeof e === "object" && e.usage) as { usage: { cost_usd: string } };
  return { status: res.status, id, cost: usage?.usage.cost_usd, done: events.at(-1) === "[DONE]" };
}

describe.each(testBackends())("usage isolation on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_STORE_BODIES: "true", LLMG_PROVIDER_MAX_RETRIES: "0" });
    f.fakes.openai.setDefault({
      type: "stream",
      chunks: ["Hello", " there"],
      usage: { prompt: 120, completion: 30, cachedRead: 20 },
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("a tenant hammering poisoned credential_missing calls costs a streaming tenant no row and no spend", async () => {
    const good = f.user;
    await call(`${f.t.url}/api/budget`, { method: "PUT", key: good.key, body: { limit_usd: 1000 } });
    const poisoned = await createUserWithKey(f.t); // no provider credential at all
    const stats0 = f.t.gateway.services.usage.stats();

    const goodCalls: ReturnType<typeof streamOnce>[] = [];
    const badCalls: Promise<{ status: number; id: string | null; error: string }>[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 5; i++) goodCalls.push(streamOnce(f, good.key, `round ${round} call ${i}`));
      for (let i = 0; i < 10; i++) {
        badCalls.push(
          fetch(`${f.t.url}/v1/chat/completions`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${poisoned.key}`,
              "content-type": "application/json",
              "user-agent": "poison/1 \u00ff\u00fe",
            },
            body: JSON.stringify({
              model: "anthropic/claude-sonnet-4-5",
              messages: [
                { role: "system", content: POISON },
                { role: "user", content: [{ type: "text", text: `\u0000${POISON}\udfff` }] },
              ],
              metadata: { team: "red", round },
            }),
          }).then(async (res) => ({
            status: res.status,
            id: res.headers.get("x-llmg-request-id"),
            error: ((await res.json()) as { error: { code?: string; type?: string } }).error?.code ?? "",
          })),
        );
      }
      await Promise.all([...goodCalls.slice(-5), ...badCalls.slice(-10)]);
    }
    const goods = await Promise.all(goodCalls);
    const bads = await Promise.all(badCalls);

    // Every answer of the good tenant is a complete success with its row committed.
    expect(goods.every((g) => g.status === 200 && g.done && g.cost !== undefined)).toBe(true);
    const db = f.t.gateway.services.db;
    const goodRows = await db
      .selectFrom("requests")
      .select(["id", "total_cost", "status"])
      .where("user_id", "=", good.user.id)
      .where(
        "id",
        "in",
        goods.map((g) => g.id),
      )
      .execute();
    expect(goodRows).toHaveLength(goods.length);
    const costById = new Map(goodRows.map((r) => [r.id, String(r.total_cost)]));
    for (const g of goods)
      expect(addDecimals(costById.get(g.id) as string)).toBe(addDecimals(g.cost as string));

    // Its spend is booked: the budget counts exactly what its answers said, nothing is left reserved.
    const budget = await call(`${f.t.url}/api/budget`, { key: good.key });
    expect(budget.body.data.spent_usd_exact).toBe(addDecimals(...goods.map((g) => g.cost as string)));
    expect(budget.body.data.reserved_usd_exact).toBe("0");

    // The poisoned tenant got its own clear error, and its rows were kept too, cleaned.
    expect(bads.every((b) => b.status === 400)).toBe(true);
    const badRows = await db
      .selectFrom("requests")
      .select(["error_code", "request_body", "user_agent"])
      .where("user_id", "=", poisoned.user.id)
      .execute();
    expect(badRows).toHaveLength(bads.length);
    expect(badRows[0]?.error_code).toBe("credential_missing");
    expect(JSON.stringify(badRows[0]?.request_body)).not.toContain("\\u0000");
    expect(JSON.stringify(badRows[0]?.request_body)).toContain("\ufffd");
    const stats = f.t.gateway.services.usage.stats();
    expect(stats.rowsFailed - stats0.rowsFailed).toBe(0);
    expect(stats.rowsCleaned - stats0.rowsCleaned).toBe(bads.length);
  });

  it("a body nested as deep as the door allows is stored with its row; a deeper one is refused at the door", async () => {
    const poisoned = await createUserWithKey(f.t); // no credential: answered 400 credential_missing
    const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const chatBody = (depth: number) =>
      `{"model":"anthropic/claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${nested(depth)}}}]}`;
    const res = await call(`${f.t.url}/v1/chat/completions`, { key: poisoned.key, body: chatBody(100) });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
    expect(JSON.stringify(res.body)).toContain("credential_missing");
    const deeper = await call(`${f.t.url}/v1/chat/completions`, {
      key: poisoned.key,
      body: chatBody(100_000),
    });
    expect(deeper.status).toBe(400);
    expect(JSON.stringify(deeper.body)).toContain("nested deeper than");
    const rows = await f.t.gateway.services.db
      .selectFrom("requests")
      .select(["error_code", "request_body"])
      .where("user_id", "=", poisoned.user.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.error_code).toBe("credential_missing");
    expect(JSON.stringify(rows[0]?.request_body)).toContain('{"a":{"a":{"a":1}}}');
  });

  it("refuses metadata PostgreSQL could not store with 400 naming the field, before the provider is called", async () => {
    const before = f.fakes.openai.requestCount;
    const cases: {
      path: string;
      body: Record<string, unknown>;
      headers?: Record<string, string>;
      field: string;
    }[] = [
      {
        path: "/api/chat/completions",
        body: { provider: "openai", model: "gpt-4o-mini", metadata: { team: { name: "a\u0000b" } } },
        field: "metadata.team.name",
      },
      {
        path: "/v1/chat/completions",
        body: { model: "gpt-4o-mini", metadata: { "bad\u0000key": 1 } },
        field: "metadata.bad\u0000key",
      },
      {
        path: "/v1/chat/completions",
        body: { model: "gpt-4o-mini", metadata: { list: ["ok", "\udc00"] } },
        field: "metadata.list.1",
      },
      {
        path: "/v1/chat/completions",
        body: { model: "gpt-4o-mini" },
        headers: { "x-llmg-metadata": '{"k":"\\u0000"}' },
        field: "x-llmg-metadata.k",
      },
      {
        path: "/api/chat/completions",
        body: { provider: "openai", model: "gpt-4o-mini" },
        headers: { "x-llmg-metadata": '{"a":{"b":"\\ud800"}}' },
        field: "x-llmg-metadata.a.b",
      },
    ];
    for (const c of cases) {
      const res = await call(`${f.t.url}${c.path}`, {
        key: f.user.key,
        body: { ...c.body, messages: [{ role: "user", content: "hi" }] },
        ...(c.headers ? { headers: c.headers } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      const details = c.path.startsWith("/api") ? res.body.details : res.body.error;
      expect(JSON.stringify(res.body)).toContain(c.field.includes("\u0000") ? "metadata.bad" : c.field);
      if (c.path.startsWith("/api")) {
        expect(res.body.error).toBe("validation_error");
        expect(details[0].field).toBe(c.field);
      }
    }
    expect(f.fakes.openai.requestCount).toBe(before);
  });

  it("a usage report the cost engine refuses still answers, settles and writes a flagged row billed at the dearest rates", async () => {
    const model = defaultCatalog.model("openai", "gpt-4o-mini");
    if (!model) throw new Error("gpt-4o-mini not in the catalog");
    const user = await createUserWithKey(f.t);
    await call(`${f.t.url}/api/credentials`, {
      key: user.key,
      body: { provider: "openai", name: "fake", api_key: "test-provider-key-0123456789" },
    });
    await call(`${f.t.url}/api/budget`, { method: "PUT", key: user.key, body: { limit_usd: 1000 } });

    // cached (50) > prompt (10): refused by priceUsage.
    f.fakes.openai.enqueue({
      type: "success",
      content: "Hi",
      rawUsage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 50 } },
    });
    const plain = await call(`${f.t.url}/api/chat/completions`, {
      key: user.key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
    });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect(plain.body.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 5, estimated: true });
    expect(plain.body.cost.total_cost_exact).toBe(maxCostFor(model, 50, 5));

    // Negative and fractional counts, streamed.
    f.fakes.openai.enqueue({
      type: "stream",
      chunks: ["Hi"],
      rawUsage: { prompt_tokens: -3, completion_tokens: 2.5, total_tokens: 0 },
    });
    const streamed = await streamOnce(f, user.key, "hi");
    expect(streamed.status).toBe(200);
    expect(streamed.done).toBe(true);
    expect(streamed.cost).toBe(maxCostFor(model, 0, 3));

    const rows = await f.t.gateway.services.db
      .selectFrom("requests")
      .select([
        "id",
        "status",
        "error_code",
        "usage_estimated",
        "prompt_tokens",
        "completion_tokens",
        "total_cost",
      ])
      .where("user_id", "=", user.user.id)
      .orderBy("created_at")
      .execute();
    expect(rows.map((r) => ({ ...r, total_cost: addDecimals(String(r.total_cost)) }))).toEqual([
      {
        id: plain.body.request_id,
        status: "success",
        error_code: "invalid_usage",
        usage_estimated: true,
        prompt_tokens: 50,
        completion_tokens: 5,
        total_cost: plain.body.cost.total_cost_exact,
      },
      {
        id: streamed.id,
        status: "success",
        error_code: "invalid_usage",
        usage_estimated: true,
        prompt_tokens: 0,
        completion_tokens: 3,
        total_cost: streamed.cost,
      },
    ]);
    const budget = await call(`${f.t.url}/api/budget`, { key: user.key });
    expect(budget.body.data.spent_usd_exact).toBe(
      addDecimals(plain.body.cost.total_cost_exact, streamed.cost as string),
    );
    expect(budget.body.data.reserved_usd_exact).toBe("0");
  });

  it("reserves budget for everything billed as prompt: images, tools and response_format schemas", async () => {
    const user = await createUserWithKey(f.t);
    await call(`${f.t.url}/api/credentials`, {
      key: user.key,
      body: { provider: "openai", name: "fake", api_key: "test-provider-key-0123456789" },
    });
    // gpt-4o-mini: $0.15 per million prompt tokens, so $0.001 buys about 6,600 of them.
    await call(`${f.t.url}/api/budget`, { method: "PUT", key: user.key, body: { limit_usd: 0.001 } });
    const ask = (extra: Record<string, unknown>, content: unknown = "Describe it.") =>
      call(`${f.t.url}/v1/chat/completions`, {
        key: user.key,
        body: { model: "gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content }], ...extra },
      });
    const before = f.fakes.openai.requestCount;

    // An image by URL: size unknown, so gpt-4o-mini's largest image (2833 + 8 x 5667 tokens).
    const image = { type: "image_url", image_url: { url: "https://example.com/cat.png" } };
    const withImage = await ask({}, [{ type: "text", text: "Describe it." }, image]);
    expect(withImage.status, JSON.stringify(withImage.body)).toBe(402);

    const padding = "Describe the weather in one of the listed cities, with units. ".repeat(400);
    const withTools = await ask({
      tools: [{ type: "function", function: { name: "weather", description: padding, parameters: {} } }],
    });
    expect(withTools.status).toBe(402);
    const withSchema = await ask({
      response_format: {
        type: "json_schema",
        json_schema: { name: "w", schema: { type: "object", description: padding } },
      },
    });
    expect(withSchema.status).toBe(402);
    expect(f.fakes.openai.requestCount).toBe(before);

    // The same call without them fits the budget.
    const plain = await ask({});
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
  });

  it("a row the database refuses for its content is logged and counted, and its call keeps its answer", async () => {
    const user = await createUserWithKey(f.t);
    await call(`${f.t.url}/api/credentials`, {
      key: user.key,
      body: { provider: "openai", name: "fake", api_key: "test-provider-key-0123456789" },
    });
    const usage = f.t.gateway.services.usage;
    const before = usage.stats();
    // The user is deleted while the provider works: its row can never be inserted (foreign key).
    f.fakes.openai.enqueue({ type: "delay", ms: 400, next: { type: "success", content: "late" } });
    const seen = f.fakes.openai.requests.length;
    const pending = call(`${f.t.url}/api/chat/completions`, {
      key: user.key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
    });
    const deadline = Date.now() + 10_000;
    while (f.fakes.openai.requests.length === seen) {
      if (Date.now() > deadline) throw new Error("the provider was never called");
      await new Promise((r) => setTimeout(r, 10));
    }
    await f.t.gateway.services.db.deleteFrom("users").where("id", "=", user.user.id).execute();
    // Another tenant's call finishing at the same time still commits.
    const neighbour = streamOnce(f, f.user.key, "neighbour");
    const res = await pending;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.content).toBe("late");
    const other = await neighbour;
    expect(other.status).toBe(200);
    const stored = await f.t.gateway.services.db
      .selectFrom("requests")
      .select("id")
      .where("id", "in", [res.body.request_id, other.id])
      .execute();
    expect(stored.map((r) => r.id)).toEqual([other.id]);
    expect(usage.stats().rowsFailed - before.rowsFailed).toBe(1);
  });

  it.runIf(kind === "postgres")(
    "past LLMG_USAGE_QUEUE_MAX a new call waits, then gets 503 usage_backlog without reaching the provider",
    async () => {
      const g = await startChatFixture(kind, { LLMG_USAGE_QUEUE_MAX: "100", LLMG_PROVIDER_MAX_RETRIES: "0" });
      try {
        const usage = g.t.gateway.services.usage;
        // Warm the key and credential caches so the calls below need no query but their INSERT.
        expect(
          (
            await call(`${g.t.url}/v1/chat/completions`, {
              key: g.user.key,
              body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "warm" }] },
            })
          ).status,
        ).toBe(200);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const lock = g.t.database.db.transaction().execute(async (trx) => {
          await sql`lock table requests in exclusive mode`.execute(trx);
          locked();
          await gate;
        });
        await isLocked;
        let held: Promise<{ status: number }>[] = [];
        try {
          held = Array.from({ length: 100 }, (_, i) =>
            call(`${g.t.url}/v1/chat/completions`, {
              key: g.user.key,
              body: { model: "gpt-4o-mini", messages: [{ role: "user", content: `held ${i}` }] },
            }),
          );
          const deadline = Date.now() + 20_000;
          while (usage.stats().backlog < 100 && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 20));
          expect(usage.stats().backlog).toBe(100);
          const providerCalls = g.fakes.openai.requestCount;
          const refused = await call(`${g.t.url}/v1/chat/completions`, {
            key: g.user.key,
            body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "one too many" }] },
          });
          expect(refused.status).toBe(503);
          expect(JSON.stringify(refused.body)).toContain("usage_backlog");
          expect(refused.headers.get("retry-after")).not.toBeNull();
          expect(g.fakes.openai.requestCount).toBe(providerCalls);
          expect(usage.stats().callsRefused).toBe(1);
        } finally {
          release();
          await lock;
        }
        const answers = await Promise.all(held);
        expect(answers.every((a) => a.status === 200)).toBe(true);
        expect(usage.stats()).toMatchObject({ backlog: 0, rowsFailed: 0 });
      } finally {
        await g.close();
      }
    },
  );
});
