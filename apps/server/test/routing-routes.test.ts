import { randomBytes } from "node:crypto";
import { addDecimals, estimatePromptTokens, multiplyDecimal } from "@llmg/core";
import { insertRequests } from "@llmg/db";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushPrefix, modeSetups, testPrefix } from "./budget-fixtures";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

/**
 * Named routes: CRUD on /api/routes, and `route/NAME` as the model on both chat surfaces with
 * each strategy — weighted (spread over 1,000 calls), ordered, cheapest (as the pricing
 * calculator ranks the request), fastest (by the user's recent median latencies) — plus a
 * route's retry_on and its cache.
 */
const setups = modeSetups(1);
const MESSAGES = [{ role: "user" as const, content: "Count to three." }];
const USAGE = { prompt: 12, completion: 8 };
const PROVIDERS = ["openai", "anthropic", "mistral"] as const;

describe.each(setups)("named routes: $name", (setup) => {
  let t: TestGateway;
  const fakes = {} as Record<(typeof PROVIDERS)[number], FakeProvider>;
  const prefix = testPrefix();

  async function user() {
    const made = await createUserWithKey(t);
    for (const provider of PROVIDERS) {
      const added = await call(`${t.url}/api/credentials`, {
        key: made.key,
        body: { provider, name: provider, api_key: fakes[provider].apiKey },
      });
      expect(added.status).toBe(201);
    }
    return made;
  }

  const route = (key: string, body: Record<string, unknown>) => call(`${t.url}/api/routes`, { key, body });
  const v1 = (key: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
    call(`${t.url}/v1/chat/completions`, {
      key,
      body: { messages: MESSAGES, max_tokens: 16, ...body },
      ...(headers ? { headers } : {}),
    });
  const resetAll = () => {
    for (const p of PROVIDERS) {
      fakes[p].reset();
      fakes[p].setDefault({ type: "success", usage: USAGE });
    }
  };
  const modelsCalled = () =>
    PROVIDERS.flatMap((p) => fakes[p].requests.map((r) => `${p}/${(r.body as { model: string }).model}`));

  beforeAll(async () => {
    fakes.openai = await startFakeProvider("openai", { apiKey: "sk-fake-routes" });
    fakes.anthropic = await startFakeProvider("anthropic", { apiKey: "sk-ant-fake-routes" });
    fakes.mistral = await startFakeProvider("mistral", { apiKey: "fake-mistral-routes" });
    t = await startTestGateway(setup.kind, {
      redis: setup.redis,
      env: {
        LLMG_OPENAI_BASE_URL: fakes.openai.url,
        LLMG_ANTHROPIC_BASE_URL: fakes.anthropic.url,
        LLMG_MISTRAL_BASE_URL: fakes.mistral.url,
        LLMG_PROVIDER_MAX_RETRIES: "0",
        LLMG_REDIS_PREFIX: prefix,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    for (const p of PROVIDERS) await fakes[p]?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  it("creates, lists, reads, replaces and deletes routes, refusing bad ones with the field", async () => {
    const { key } = await user();
    const made = await route(key, {
      name: "main",
      strategy: "ordered",
      targets: [{ model: "openai/gpt-4o-mini" }, { model: "anthropic/claude-haiku-4-5", weight: 2 }],
      fallbacks: ["mistral/mistral-tiny"],
      retry_on: ["5xx"],
      cache: { ttl: 60 },
    });
    expect(made.status).toBe(201);
    expect(made.body.data).toMatchObject({
      name: "main",
      model: "route/main",
      strategy: "ordered",
      targets: [
        { model: "openai/gpt-4o-mini", weight: 1 },
        { model: "anthropic/claude-haiku-4-5", weight: 2 },
      ],
      fallbacks: ["mistral/mistral-tiny"],
      retry_on: ["5xx"],
      cache: { ttl: 60, all: false },
    });
    expect(
      (await route(key, { name: "main", strategy: "ordered", targets: [{ model: "openai/gpt-4o" }] })).status,
    ).toBe(409);
    const list = await call(`${t.url}/api/routes`, { key });
    expect(list.body.data.map((r: { name: string }) => r.name)).toEqual(["main"]);
    const put = await call(`${t.url}/api/routes/main`, {
      key,
      method: "PUT",
      body: { strategy: "cheapest", targets: [{ model: "openai/gpt-4o" }] },
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ strategy: "cheapest", fallbacks: [], cache: null });
    expect((await call(`${t.url}/api/routes/main`, { key })).body.data.strategy).toBe("cheapest");
    // Another user sees none of it.
    const other = await user();
    expect((await call(`${t.url}/api/routes/main`, { key: other.key })).status).toBe(404);

    const bad = async (body: Record<string, unknown>, field: string) => {
      const res = await route(key, { name: `r${randomBytes(3).toString("hex")}`, ...body });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    };
    await bad({ strategy: "ordered", targets: [{ model: "openai/nope" }] }, "targets[0].model");
    await bad({ strategy: "ordered", targets: [{ model: "route/main" }] }, "targets[0].model");
    await bad(
      { strategy: "ordered", targets: [{ model: "openai/gpt-4o" }], fallbacks: ["x/y"] },
      "fallbacks[0]",
    );
    await bad({ strategy: "random", targets: [{ model: "openai/gpt-4o" }] }, "strategy");
    await bad({ strategy: "ordered", targets: [] }, "targets");
    await bad({ strategy: "ordered", targets: [{ model: "openai/gpt-4o", weight: 0 }] }, "weight");
    expect(
      (await route(key, { name: "bad name!", strategy: "ordered", targets: [{ model: "openai/gpt-4o" }] }))
        .status,
    ).toBe(400);

    expect((await call(`${t.url}/api/routes/main`, { key, method: "DELETE" })).status).toBe(200);
    expect((await call(`${t.url}/api/routes/main`, { key, method: "DELETE" })).status).toBe(404);
    const gone = await v1(key, { model: "route/main" });
    expect(gone.status).toBe(400);
  });

  it("calls an ordered route on both surfaces, and falls back as its retry_on says", async () => {
    const { key } = await user();
    await route(key, {
      name: "chain",
      strategy: "ordered",
      targets: [{ model: "openai/gpt-4o-mini" }, { model: "anthropic/claude-haiku-4-5" }],
      retry_on: ["5xx"],
    });
    resetAll();
    const ok = await v1(key, { model: "route/chain" });
    expect(ok.status).toBe(200);
    expect(ok.body.model).toBe("openai/gpt-4o-mini");
    expect(ok.headers.get("x-llmg-route")).toBe("chain");
    expect(ok.headers.get("x-llmg-attempts")).toBe("1");
    // /api takes a route without a provider, and names the provider that answered.
    fakes.openai.enqueue({ type: "error", status: 500 });
    const api = await call(`${t.url}/api/chat/completions`, {
      key,
      body: { model: "route/chain", messages: MESSAGES, max_tokens: 16 },
    });
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ provider: "anthropic", model: "claude-haiku-4-5" });
    expect(api.headers.get("x-llmg-attempts")).toBe("2");
    // 429 is not in this route's retry_on: no fallback.
    fakes.openai.enqueue({ type: "error", status: 429 });
    const limited = await v1(key, { model: "route/chain" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-llmg-attempts")).toBe("1");
    // A route and a provider together are refused.
    const both = await call(`${t.url}/api/chat/completions`, {
      key,
      body: { provider: "openai", model: "route/chain", messages: MESSAGES, max_tokens: 16 },
    });
    expect(both.status).toBe(400);
  });

  it("picks what the pricing calculator says is cheapest for each prompt, skipping models without tools", async () => {
    const { key } = await user();
    const targets = [
      "anthropic/claude-haiku-4-5",
      "openai/gpt-4o",
      "openai/gpt-4o-mini",
      "mistral/mistral-tiny",
    ];
    await route(key, { name: "thrifty", strategy: "cheapest", targets: targets.map((model) => ({ model })) });
    // The calculator's ranking for the prompt as the gateway counts it, and 16 tokens out.
    const ranking = async (messages: typeof MESSAGES) => {
      const tokens = estimatePromptTokens(messages);
      const res = await call(
        `${t.url}/api/pricing/compare?models=${targets.join(",")}&input_tokens=${tokens}&output_tokens=16`,
        { key },
      );
      return (res.body.data.models as { provider: string; model: string }[]).map(
        (m) => `${m.provider}/${m.model}`,
      );
    };
    // mistral-tiny is cheaper on short prompts (flat rate), gpt-4o-mini on long ones (cheap input).
    const short = MESSAGES;
    const long = [{ role: "user" as const, content: "Summarise the following notes. ".repeat(60) }];
    const shortRanking = await ranking(short);
    const longRanking = await ranking(long);
    expect(shortRanking[0]).toBe("mistral/mistral-tiny");
    expect(longRanking[0]).toBe("openai/gpt-4o-mini");
    for (const [messages, ranked] of [
      [short, shortRanking],
      [long, longRanking],
    ] as const) {
      resetAll();
      const res = await v1(key, { model: "route/thrifty", messages });
      expect(res.status).toBe(200);
      expect(res.body.model).toBe(ranked[0]);
    }
    // A tool call skips mistral-tiny (no tools in the catalog): the cheapest of those with tools.
    resetAll();
    const tools = [
      { type: "function", function: { name: "count", parameters: { type: "object", properties: {} } } },
    ];
    const withTools = await v1(key, { model: "route/thrifty", tools });
    expect(withTools.status).toBe(200);
    expect(withTools.body.model).toBe(shortRanking.filter((m) => m !== "mistral/mistral-tiny")[0]);
  });

  it("picks the target with the lowest recent median latency", async () => {
    const { user: u, key } = await user();
    await route(key, {
      name: "quick",
      strategy: "fastest",
      targets: [{ model: "openai/gpt-4o-mini" }, { model: "anthropic/claude-haiku-4-5" }],
    });
    // Injected history: the user's calls to Haiku were fast, to gpt-4o-mini slow.
    const history = (provider: string, model: string, latency: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `req_hist_${randomBytes(6).toString("hex")}_${i}`,
        user_id: u.id,
        provider,
        model,
        endpoint: "v1",
        status: "success" as const,
        http_status: 200,
        latency_ms: latency + i,
      }));
    await insertRequests(t.database.db, [
      ...history("openai", "gpt-4o-mini", 900, 5),
      ...history("anthropic", "claude-haiku-4-5", 120, 5),
    ]);
    resetAll();
    const res = await v1(key, { model: "route/quick" });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe("anthropic/claude-haiku-4-5");
    // Another user with the opposite history gets the other model.
    const second = await user();
    await route(second.key, {
      name: "quick",
      strategy: "fastest",
      targets: [{ model: "openai/gpt-4o-mini" }, { model: "anthropic/claude-haiku-4-5" }],
    });
    await insertRequests(t.database.db, [
      ...history("openai", "gpt-4o-mini", 80, 5).map((r) => ({ ...r, user_id: second.user.id })),
      ...history("anthropic", "claude-haiku-4-5", 700, 5).map((r) => ({ ...r, user_id: second.user.id })),
    ]);
    expect((await v1(second.key, { model: "route/quick" })).body.model).toBe("openai/gpt-4o-mini");
  });

  it("spreads a weighted route by its weights over 1,000 calls", async () => {
    const { key } = await user();
    await route(key, {
      name: "spread",
      strategy: "weighted",
      targets: [
        { model: "openai/gpt-4o-mini", weight: 1 },
        { model: "openai/gpt-4.1-nano", weight: 3 },
      ],
    });
    resetAll();
    const N = 1_000;
    for (let i = 0; i < N; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => v1(key, { model: "route/spread" })));
      for (const r of batch) expect(r.status).toBe(200);
    }
    const mini = modelsCalled().filter((m) => m === "openai/gpt-4o-mini").length;
    // Expected 250 (p = 1/4); one standard deviation is about 13.7: ±6 of them (168..332) cannot
    // be missed by chance (less than one in 10^8), a wrong weighting misses by far.
    expect(modelsCalled()).toHaveLength(N);
    expect(mini).toBeGreaterThanOrEqual(168);
    expect(mini).toBeLessThanOrEqual(332);
    process.stdout.write(`[routes] ${setup.name}: weights 1:3 over ${N} calls gave ${mini}:${N - mini}\n`);
  });

  it("caches a route's answers when the route says so, priced at the model that answered", async () => {
    const { key } = await user();
    await route(key, {
      name: "cached",
      strategy: "ordered",
      targets: [{ model: "openai/gpt-4o-mini" }, { model: "anthropic/claude-haiku-4-5" }],
      cache: { ttl: 600 },
    });
    resetAll();
    fakes.openai.enqueue({ type: "error", status: 503 });
    const miss = await v1(key, { model: "route/cached" });
    expect(miss.status).toBe(200);
    expect(miss.body.model).toBe("anthropic/claude-haiku-4-5");
    expect(miss.headers.get("x-llmg-cache")).toBe("miss");
    const hit = await v1(key, { model: "route/cached" });
    expect(hit.status).toBe(200);
    expect(hit.headers.get("x-llmg-cache")).toBe("hit");
    expect(hit.body.model).toBe("anthropic/claude-haiku-4-5");
    expect(modelsCalled()).toEqual(["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"]);
    const row = await t.database.db
      .selectFrom("requests")
      .selectAll()
      .where("id", "=", hit.headers.get("x-llmg-request-id")!)
      .executeTakeFirstOrThrow();
    const haiku = t.gateway.services.catalog.model("anthropic", "claude-haiku-4-5")!.prices;
    expect(row).toMatchObject({ cache_hit: true, provider: "anthropic", model: "claude-haiku-4-5" });
    expect(addDecimals(row.saved_usd!)).toBe(
      addDecimals(
        multiplyDecimal(haiku.input, USAGE.prompt),
        multiplyDecimal(haiku.output, USAGE.completion),
      ),
    );
    // The call's own no-store wins over the route's cache.
    const bypass = await v1(key, { model: "route/cached" }, { "x-llmg-cache": "no-store" });
    expect(bypass.headers.get("x-llmg-cache")).toBeNull();
  });
});
