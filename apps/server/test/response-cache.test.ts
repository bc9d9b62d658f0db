import { randomBytes } from "node:crypto";
import { addDecimals, normalizeDecimal } from "@llmg/core";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCredential,
  closeReplicas,
  exactUsage,
  flushPrefix,
  MODEL,
  startReplicas,
  testPrefix,
  userWithCredential,
} from "./budget-fixtures";
import { readSse } from "./chat-harness";
import { call, createUserWithKey, type TestGateway } from "./harness";

/**
 * The response cache against the real server, the fake OpenAI and real PostgreSQL + Redis (two
 * replicas sharing both: one writes an entry, the other answers from it) or embedded PGlite with
 * the in-process LRU. Provider calls are counted at the fake.
 */
const production = testRedisUrl() !== null && testBackends().includes("postgres");
const setups = [
  ...(production
    ? [{ name: "two replicas sharing Redis", kind: "postgres" as const, replicas: 2 as const, redis: true }]
    : []),
  { name: "embedded mode", kind: "pglite" as const, replicas: 1 as const, redis: false },
];

const MAX_TOKENS = 20;
const ANSWER = "The cached answer, word for word.";

describe.each(setups)("response cache: $name", (setup) => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  const prefix = testPrefix();
  const first = () => replicas[0]!;
  // The second replica when there is one: a hit there proves the entry is shared.
  const other = () => replicas[replicas.length - 1]!;

  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-cache" });
    fake.setDefault({ type: "success", content: ANSWER, usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas(setup.kind, setup.replicas, fake, { redis: setup.redis, prefix });
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  /** A prompt no other test sends, so entries never leak between tests. */
  const prompt = () => `Count to three, please (${randomBytes(4).toString("hex")}).`;

  function ask(
    t: TestGateway,
    key: string,
    content: string,
    options: { headers?: Record<string, string>; body?: Record<string, unknown> } = {},
  ) {
    return call(`${t.url}/api/chat/completions`, {
      key,
      body: {
        provider: "openai",
        model: MODEL,
        messages: [{ role: "user", content }],
        max_tokens: MAX_TOKENS,
        ...options.body,
      },
      ...(options.headers ? { headers: options.headers } : {}),
    });
  }

  function askStream(t: TestGateway, key: string, content: string, headers: Record<string, string> = {}) {
    return fetch(`${t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: "user", content }],
        max_tokens: MAX_TOKENS,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
  }

  const row = (t: TestGateway, id: string) =>
    t.database.db
      .selectFrom("requests")
      .select(["cache_hit", "saved_usd", "total_cost", "status", "credential_id", "stream"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  const TTL = { "x-llmg-cache": "ttl=600" };

  it("a miss calls the provider and caches; the same request is then a hit on any replica, at $0, saving exactly the miss's cost", async () => {
    const { key } = await userWithCredential(first(), fake);
    const content = prompt();
    const before = fake.requestCount;
    const miss = await ask(first(), key, content, { headers: TTL });
    expect(miss.status).toBe(200);
    expect(miss.headers.get("x-llmg-cache")).toBe("miss");
    const hit = await ask(other(), key, content, { headers: TTL });
    expect(hit.status).toBe(200);
    expect(hit.headers.get("x-llmg-cache")).toBe("hit");
    expect(hit.headers.get("x-llmg-cost-usd")).toBe("0");
    expect(fake.requestCount - before).toBe(1);
    expect(hit.body.content).toBe(miss.body.content);
    expect(hit.body.content).toBe(ANSWER);
    expect(hit.body.finish_reason).toBe("stop");
    expect(hit.body.usage).toEqual(miss.body.usage);
    expect(hit.body.cost.total_cost_exact).toBe("0");

    const missRow = await row(first(), miss.body.request_id);
    const hitRow = await row(first(), hit.body.request_id);
    expect(missRow.cache_hit).toBe(false);
    expect(missRow.saved_usd).toBeNull();
    expect(hitRow).toMatchObject({ cache_hit: true, status: "success", credential_id: null });
    expect(normalizeDecimal(hitRow.total_cost)).toBe("0");
    expect(normalizeDecimal(missRow.total_cost)).not.toBe("0");
    expect(normalizeDecimal(hitRow.saved_usd!)).toBe(normalizeDecimal(missRow.total_cost));

    const detail = await call(`${first().url}/api/usage/requests/${hit.body.request_id}`, { key });
    expect(detail.status).toBe(200);
    expect(detail.body.data).toMatchObject({ cache_hit: true, total_cost_exact: "0" });
    expect(detail.body.data.saved_usd_exact).toBe(normalizeDecimal(missRow.total_cost));

    // The body's `cache` on /v1 is the same opt-in, and the same request is the same entry.
    const v1 = await call(`${other().url}/v1/chat/completions`, {
      key,
      body: {
        model: MODEL,
        messages: [{ role: "user", content }],
        max_tokens: MAX_TOKENS,
        cache: { ttl: 60 },
        metadata: { anything: "ignored by the key" },
      },
    });
    expect(v1.status).toBe(200);
    expect(v1.headers.get("x-llmg-cache")).toBe("hit");
    expect(v1.body.choices[0].message.content).toBe(ANSWER);
    expect(fake.requestCount - before).toBe(1);

    // tRPC's chat procedure shares the schema: the body's `cache` and the header both work there.
    const trpc = await call(`${first().url}/trpc/chat.completions`, {
      key,
      body: {
        provider: "openai",
        model: MODEL,
        messages: [{ role: "user", content }],
        max_tokens: MAX_TOKENS,
        cache: { ttl: 60 },
      },
    });
    expect(trpc.status).toBe(200);
    // tRPC answers carry no response headers: the row tells the hit.
    expect(trpc.body.result.data.content).toBe(ANSWER);
    expect((await row(first(), trpc.body.result.data.request_id)).cache_hit).toBe(true);
    const trpcBad = await call(`${first().url}/trpc/chat.completions`, {
      key,
      headers: { "x-llmg-cache": "ttl=0" },
      body: { provider: "openai", model: MODEL, messages: [{ role: "user", content }] },
    });
    expect(trpcBad.status).toBe(400);
    expect(trpcBad.body.error.data).toMatchObject({ details: [{ field: "x-llmg-cache" }] });
    expect(fake.requestCount - before).toBe(1);

    // A call without the header neither reads nor writes the cache, and says nothing of it.
    const plain = await ask(first(), key, content);
    expect(plain.status).toBe(200);
    expect(plain.headers.get("x-llmg-cache")).toBeNull();
    expect(fake.requestCount - before).toBe(2);
  });

  it("tenants never share answers: another user's same request is a miss", async () => {
    const alice = await userWithCredential(first(), fake);
    const bob = await userWithCredential(first(), fake);
    const content = prompt();
    const before = fake.requestCount;
    expect((await ask(first(), alice.key, content, { headers: TTL })).headers.get("x-llmg-cache")).toBe(
      "miss",
    );
    const bobs = await ask(other(), bob.key, content, { headers: TTL });
    expect(bobs.headers.get("x-llmg-cache")).toBe("miss");
    expect(fake.requestCount - before).toBe(2);
    // A different sampling parameter is a different request, for the same user too.
    const warmer = await ask(first(), alice.key, content, { headers: TTL, body: { temperature: 0.5 } });
    expect(warmer.headers.get("x-llmg-cache")).toBe("miss");
    expect(fake.requestCount - before).toBe(3);
  });

  it("team keys share their team's entries; the same members' personal keys do not", async () => {
    const t = first();
    const admin = (path: string, body: unknown) => call(`${t.url}/api${path}`, { key: t.adminKey, body });
    const team = await admin("/admin/teams", { name: `cache-${randomBytes(4).toString("hex")}` });
    expect(team.status).toBe(201);
    const members = [await createUserWithKey(t), await createUserWithKey(t)];
    const teamKeys: string[] = [];
    for (const m of members) {
      await addCredential(t, fake, m.key);
      expect((await admin(`/admin/teams/${team.body.data.id}/members`, { user_id: m.user.id })).status).toBe(
        200,
      );
      const k = await admin(`/admin/users/${m.user.id}/keys`, { team_id: team.body.data.id });
      expect(k.status).toBe(201);
      teamKeys.push(k.body.data.key);
    }
    const content = prompt();
    const before = fake.requestCount;
    expect((await ask(first(), teamKeys[0]!, content, { headers: TTL })).headers.get("x-llmg-cache")).toBe(
      "miss",
    );
    const shared = await ask(other(), teamKeys[1]!, content, { headers: TTL });
    expect(shared.headers.get("x-llmg-cache")).toBe("hit");
    expect(shared.body.content).toBe(ANSWER);
    expect(fake.requestCount - before).toBe(1);
    for (const m of members) {
      expect((await ask(other(), m.key, content, { headers: TTL })).headers.get("x-llmg-cache")).toBe("miss");
    }
    expect(fake.requestCount - before).toBe(3);
  });

  it("an entry expires with its ttl", async () => {
    const { key } = await userWithCredential(first(), fake);
    const content = prompt();
    const before = fake.requestCount;
    const short = { "x-llmg-cache": "ttl=1" };
    expect((await ask(first(), key, content, { headers: short })).headers.get("x-llmg-cache")).toBe("miss");
    expect((await ask(other(), key, content, { headers: short })).headers.get("x-llmg-cache")).toBe("hit");
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await ask(other(), key, content, { headers: short })).headers.get("x-llmg-cache")).toBe("miss");
    expect(fake.requestCount - before).toBe(2);
  });

  it("a hit for a stream replays the answer as SSE chunks ending with [DONE]; a streamed miss is replayed as JSON", async () => {
    const { key } = await userWithCredential(first(), fake);
    const before = fake.requestCount;

    // Cached from a plain call, replayed as a stream.
    const content = prompt();
    await ask(first(), key, content, { headers: TTL });
    const res = await askStream(other(), key, content, TTL);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-llmg-cache")).toBe("hit");
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as any[];
    for (const c of chunks) expect(c.object).toBe("chat.completion.chunk");
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(ANSWER);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe("stop");
    const usage = chunks.at(-1);
    expect(usage.choices).toEqual([]);
    expect(usage.usage.cost_usd).toBe("0");
    expect(fake.requestCount - before).toBe(1);

    // Cached from a stream (assembled), replayed as JSON and as a stream.
    const streamed = prompt();
    const miss = await askStream(first(), key, streamed, TTL);
    expect(miss.headers.get("x-llmg-cache")).toBe("miss");
    const missText = ((await readSse(miss)).slice(0, -1) as any[])
      .map((c) => c.choices[0]?.delta?.content ?? "")
      .join("");
    expect(missText).toBe(ANSWER);
    const json = await ask(other(), key, streamed, { headers: TTL });
    expect(json.headers.get("x-llmg-cache")).toBe("hit");
    expect(json.body.content).toBe(ANSWER);
    const again = await askStream(other(), key, streamed, TTL);
    expect(again.headers.get("x-llmg-cache")).toBe("hit");
    const againText = ((await readSse(again)).slice(0, -1) as any[])
      .map((c) => c.choices[0]?.delta?.content ?? "")
      .join("");
    expect(againText).toBe(ANSWER);
    expect(fake.requestCount - before).toBe(2);

    const hitRow = await row(first(), json.body.request_id);
    expect(hitRow.cache_hit).toBe(true);
  });

  it("no-store neither reads nor writes", async () => {
    const { key } = await userWithCredential(first(), fake);
    const content = prompt();
    const before = fake.requestCount;
    const noStore = { "x-llmg-cache": "no-store" };
    // no-store wins over the body's cache.
    const bypass = await ask(first(), key, content, { headers: noStore, body: { cache: { ttl: 60 } } });
    expect(bypass.status).toBe(200);
    expect(bypass.headers.get("x-llmg-cache")).toBeNull();
    expect((await ask(other(), key, content, { headers: TTL })).headers.get("x-llmg-cache")).toBe("miss");
    expect((await ask(first(), key, content, { headers: noStore })).headers.get("x-llmg-cache")).toBeNull();
    expect(fake.requestCount - before).toBe(3);
    expect((await ask(other(), key, content, { headers: TTL })).headers.get("x-llmg-cache")).toBe("hit");
    expect(fake.requestCount - before).toBe(3);
  });

  it("answers cut by length or asking for a tool call are not cached; failed calls are not either", async () => {
    const { key } = await userWithCredential(first(), fake);
    const before = fake.requestCount;
    const cut = prompt();
    fake.enqueue({
      type: "success",
      content: "One, two",
      finishReason: "length",
      usage: exactUsage(MAX_TOKENS),
    });
    const first1 = await ask(first(), key, cut, { headers: TTL });
    expect(first1.body.finish_reason).toBe("length");
    expect(first1.headers.get("x-llmg-cache")).toBe("miss");
    const second1 = await ask(other(), key, cut, { headers: TTL });
    expect(second1.headers.get("x-llmg-cache")).toBe("miss");
    expect(second1.body.finish_reason).toBe("stop");

    const tools = [
      {
        type: "function",
        function: { name: "count", parameters: { type: "object", properties: {} } },
      },
    ];
    const toolPrompt = prompt();
    fake.enqueue({
      type: "success",
      toolCalls: [{ name: "count", arguments: {} }],
      usage: exactUsage(MAX_TOKENS),
    });
    const toolCall = await ask(first(), key, toolPrompt, { headers: TTL, body: { tools } });
    expect(toolCall.status).toBe(200);
    expect(toolCall.body.finish_reason).toBe("tool_calls");
    const toolAgain = await ask(other(), key, toolPrompt, { headers: TTL, body: { tools } });
    expect(toolAgain.headers.get("x-llmg-cache")).toBe("miss");

    const failing = prompt();
    fake.enqueue({ type: "error", status: 400, message: "bad request" });
    expect((await ask(first(), key, failing, { headers: TTL })).status).toBe(400);
    const after = await ask(other(), key, failing, { headers: TTL });
    expect(after.status).toBe(200);
    expect(after.headers.get("x-llmg-cache")).toBe("miss");
    expect(fake.requestCount - before).toBe(6);
  });

  it("refuses a malformed cache header or body with a 400 naming the field, before any provider call", async () => {
    const { key } = await userWithCredential(first(), fake);
    const before = fake.requestCount;
    for (const value of [
      "ttl=0",
      "ttl=2592001",
      "ttl=-5",
      "ttl=abc",
      "forever",
      "ttl=1.5",
      "x".repeat(100),
    ]) {
      const res = await ask(first(), key, "hello", { headers: { "x-llmg-cache": value } });
      expect(res.status, value).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: "validation_error" });
      expect(res.body.details[0].field).toBe("x-llmg-cache");
      const v1 = await call(`${first().url}/v1/chat/completions`, {
        key,
        headers: { "x-llmg-cache": value },
        body: { model: MODEL, messages: [{ role: "user", content: "hello" }] },
      });
      expect(v1.status, value).toBe(400);
      expect(v1.body.error.param).toBe("x-llmg-cache");
    }
    for (const cache of [
      { ttl: 0 },
      { ttl: 2_592_001 },
      { ttl: 1.5 },
      { ttl: null },
      {},
      { ttl: 5, extra: 1 },
    ]) {
      const res = await ask(first(), key, "hello", { body: { cache } });
      expect(res.status, JSON.stringify(cache)).toBe(400);
      expect(res.body.details[0].field).toMatch(/^cache/);
    }
    expect(fake.requestCount - before).toBe(0);
  });

  it("the summary and charts show the hits and what they saved, exactly", async () => {
    const { key } = await userWithCredential(first(), fake);
    const content = prompt();
    const miss = await ask(first(), key, content, { headers: TTL });
    for (let i = 0; i < 3; i++) {
      expect((await ask(other(), key, content, { headers: TTL })).headers.get("x-llmg-cache")).toBe("hit");
    }
    const missCost = normalizeDecimal(miss.body.cost.total_cost_exact);
    const summary = await call(`${first().url}/api/usage/summary`, { key });
    expect(summary.status).toBe(200);
    const totals = summary.body.data.totals;
    expect(totals.requests).toBe(4);
    expect(totals.cache_hits).toBe(3);
    expect(totals.saved_usd_exact).toBe(normalizeDecimal(addDecimals(missCost, missCost, missCost)));
    expect(totals.cost_usd_exact).toBe(missCost);
    expect(summary.body.data.by_model[0]).toMatchObject({ cache_hits: 3 });

    const chart = await call(`${first().url}/api/usage/charts?type=cache_hits&granularity=day`, { key });
    expect(chart.status).toBe(200);
    expect(chart.body.data.series[0].data.reduce((a: number, b: number) => a + b, 0)).toBe(3);
    const savings = await call(`${first().url}/api/usage/charts?type=savings&granularity=day`, { key });
    expect(savings.body.data.unit).toBe("usd");
    expect(savings.body.data.series[0].data.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
  });

  it("a hit is admitted with the budget exhausted, costs nothing against it, and is rate limited", async () => {
    const t = first();
    const { key, user } = await userWithCredential(t, fake, { rate_limit_rpm: 4 });
    const content = prompt();
    const miss = await ask(t, key, content, { headers: TTL });
    expect(miss.headers.get("x-llmg-cache")).toBe("miss");
    // The month's budget is now exactly what was spent: nothing more fits.
    const spent = normalizeDecimal(miss.body.cost.total_cost_exact);
    const capped = await call(`${t.url}/api/admin/users/${user.id}`, {
      method: "PATCH",
      key: t.adminKey,
      body: { monthly_budget_usd: spent },
    });
    expect(capped.status).toBe(200);
    const refused = await ask(t, key, prompt(), { headers: TTL });
    expect(refused.status).toBe(402);
    const hit = await ask(other(), key, content, { headers: TTL });
    expect(hit.status).toBe(200);
    expect(hit.headers.get("x-llmg-cache")).toBe("hit");
    expect(hit.headers.get("x-ratelimit-limit-requests")).toBe("4");
    // Four requests per minute: the hits go on being answered until the minute's calls are used.
    let limited: Awaited<ReturnType<typeof ask>> | undefined;
    for (let i = 0; i < 4 && !limited; i++) {
      const res = await ask(i % 2 ? t : other(), key, content, { headers: TTL });
      if (res.status === 429) limited = res;
      else expect(res.headers.get("x-llmg-cache")).toBe("hit");
    }
    expect(limited?.status).toBe(429);
    expect(limited?.body.error).toBe("rate_limit_exceeded");
    const budgetNow = await call(`${t.url}/api/budget`, { key });
    expect(budgetNow.body.data.spent_usd_exact).toBe(spent);
    expect(budgetNow.body.data.reserved_usd).toBe(0);
  });
});
