import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLlmgClient } from "@llmg/client";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

// Rates come from the committed price data; the cost math below is an independent BigInt
// oracle, so these tests check the server's arithmetic rather than repeat it.
interface Tier {
  aboveTokens: number;
  input?: string;
  output?: string;
  cacheRead?: string;
  cacheWrite?: string;
  reasoning?: string;
}
interface StoredModel {
  provider: string;
  id: string;
  aliases: string[];
  prices: {
    input: string;
    output: string;
    cacheRead: string | null;
    cacheWrite: string | null;
    reasoning: string | null;
    tiers: Tier[];
  };
}
const MODELS = (
  JSON.parse(
    readFileSync(
      new URL("../../../packages/core/src/catalog/data/models.generated.json", import.meta.url),
      "utf8",
    ),
  ) as { models: StoredModel[] }
).models;

function stored(provider: string, id: string): StoredModel {
  const model = MODELS.find((m) => m.provider === provider && m.id === id);
  if (!model) throw new Error(`${provider}/${id} is not in the price data`);
  return model;
}

function parse(value: string): { units: bigint; scale: number } {
  const [whole = "0", fraction = ""] = value.split(".");
  return { units: BigInt(whole + fraction), scale: fraction.length };
}
function format(units: bigint, scale: number): string {
  let digits = units.toString().padStart(scale + 1, "0");
  if (scale > 0) digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, "");
  return digits;
}
function mul(rate: string, n: number | bigint): string {
  const { units, scale } = parse(rate);
  return format(units * BigInt(n), scale);
}
function add(...values: string[]): string {
  const scale = Math.max(...values.map((v) => parse(v).scale));
  const sum = values.reduce((acc, v) => {
    const p = parse(v);
    return acc + p.units * 10n ** BigInt(scale - p.scale);
  }, 0n);
  return format(sum, scale);
}

interface Workload {
  input: number;
  output: number;
  cached: number;
  writes: number;
  reasoning: number;
}

/** Expected per-request cost: highest tier the prompt exceeds; cache/reasoning fall back to input/output. */
function expectedCost(model: StoredModel, w: Workload) {
  const tier = model.prices.tiers.filter((t) => w.input > t.aboveTokens).at(-1);
  const p = model.prices;
  const input = tier?.input ?? p.input;
  const output = tier?.output ?? p.output;
  const rates = {
    input,
    output,
    cache_read: tier?.cacheRead ?? p.cacheRead ?? input,
    cache_write: tier?.cacheWrite ?? p.cacheWrite ?? input,
    reasoning: tier?.reasoning ?? p.reasoning ?? output,
  };
  const lines = {
    input: mul(rates.input, w.input - w.cached - w.writes),
    cache_read: mul(rates.cache_read, w.cached),
    cache_write: mul(rates.cache_write, w.writes),
    output: mul(rates.output, w.output - w.reasoning),
    reasoning: mul(rates.reasoning, w.reasoning),
  };
  const inputCost = add(lines.input, lines.cache_read, lines.cache_write);
  const outputCost = add(lines.output, lines.reasoning);
  return {
    tier: tier?.aboveTokens ?? null,
    rates,
    lines,
    inputCost,
    outputCost,
    total: add(inputCost, outputCost),
  };
}

function expectInvalid(res: { status: number; body: any }, field: string, messagePart?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toMatchObject({ success: false, error: "validation_error" });
  const detail = res.body.details.find((d: { field: string }) => d.field === field);
  expect(detail, JSON.stringify(res.body.details)).toBeDefined();
  if (messagePart) expect(detail.message).toContain(messagePart);
}

describe.each(testBackends())("pricing calculator and comparison on %s", (kind) => {
  let t: TestGateway;
  let key: string;
  const get = (path: string) => call(`${t.url}/api${path}`, { key });
  const calc = (query: string) => get(`/pricing/calculator?${query}`);

  beforeAll(async () => {
    t = await startTestGateway(kind);
    key = (await createUserWithKey(t)).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers 401 without a key", async () => {
    for (const path of [
      "/pricing/calculator?model=openai/gpt-4o-mini&input_tokens=1&output_tokens=1",
      "/pricing/compare?models=openai/gpt-4o-mini&input_tokens=1&output_tokens=1",
    ]) {
      const res = await call(`${t.url}/api${path}`);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error: "unauthorized" });
    }
  });

  it("prices gpt-4o-mini at 1M input + 1M output exactly (worked by hand)", async () => {
    const mini = stored("openai", "gpt-4o-mini");
    // The committed rates: $0.15 and $0.60 per 1M tokens.
    expect(mini.prices.input).toBe("0.00000015");
    expect(mini.prices.output).toBe("0.0000006");
    // 1,000,000 × 0.00000015 = 0.15; 1,000,000 × 0.0000006 = 0.6; total 0.75.
    const res = await calc("provider=openai&model=gpt-4o-mini&input_tokens=1000000&output_tokens=1000000");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const totals = {
      input_cost: 0.15,
      input_cost_exact: "0.15",
      output_cost: 0.6,
      output_cost_exact: "0.6",
      total_cost: 0.75,
      total_cost_exact: "0.75",
    };
    expect(res.body).toMatchObject({
      success: true,
      data: {
        provider: "openai",
        model: "gpt-4o-mini",
        input_tokens: 1_000_000,
        output_tokens: 1_000_000,
        cached_tokens: 0,
        requests: 1,
        tier: null,
        per_request: totals,
        total: totals,
      },
    });
    expect(res.body.data.per_request.breakdown.input).toEqual({
      tokens: 1_000_000,
      rate_per_token: "0.00000015",
      rate_per_1m: 0.15,
      cost: 0.15,
      cost_exact: "0.15",
    });
    expect(res.body.data.per_request.breakdown.output).toMatchObject({
      tokens: 1_000_000,
      cost_exact: "0.6",
    });
  });

  it("multiplies by requests exactly, without float drift", async () => {
    // 1234 × 0.00000015 = 0.0001851; 567 × 0.0000006 = 0.0003402; sum 0.0005253; × 1000 = 0.5253.
    const res = await calc("model=openai/gpt-4o-mini&input_tokens=1234&output_tokens=567&requests=1000");
    expect(res.body.data.per_request).toMatchObject({
      input_cost_exact: "0.0001851",
      output_cost_exact: "0.0003402",
      total_cost_exact: "0.0005253",
    });
    expect(res.body.data.total).toMatchObject({
      input_cost_exact: "0.1851",
      output_cost_exact: "0.3402",
      total_cost_exact: "0.5253",
      total_cost: 0.5253,
    });
    // One token a billion times: 0.00000015 × 10^9 = 150, where summing floats would drift.
    const many = await calc("model=openai/gpt-4o-mini&input_tokens=1&output_tokens=0&requests=1000000000");
    expect(many.body.data.total.total_cost_exact).toBe("150");
    expect(many.body.data.per_request.total_cost_exact).toBe("0.00000015");
  });

  it("bills cached tokens once, at the cache-read rate", async () => {
    const mini = stored("openai", "gpt-4o-mini");
    expect(mini.prices.cacheRead).toBe("0.000000075");
    // 600,000 uncached × 0.00000015 = 0.09; 400,000 cached × 0.000000075 = 0.03; prompt total 0.12.
    const res = await calc("model=gpt-4o-mini&input_tokens=1000000&cached_tokens=400000&output_tokens=0");
    const { breakdown } = res.body.data.per_request;
    expect(breakdown.input).toMatchObject({ tokens: 600_000, cost_exact: "0.09" });
    expect(breakdown.cache_read).toMatchObject({
      tokens: 400_000,
      rate_per_token: "0.000000075",
      cost_exact: "0.03",
    });
    expect(res.body.data.per_request).toMatchObject({ input_cost_exact: "0.12", total_cost_exact: "0.12" });
    expect(res.body.data.cached_tokens).toBe(400_000);
  });

  it("matches the price data for every kind of token, tiers included", async () => {
    const cases: [StoredModel, Workload][] = [];
    const base: Workload = { input: 123_457, output: 6543, cached: 10_001, writes: 2002, reasoning: 1234 };
    for (const provider of ["openai", "anthropic", "google", "deepseek", "mistral"]) {
      for (const model of MODELS.filter((m) => m.provider === provider).slice(0, 3))
        cases.push([model, base]);
    }
    const tiered = MODELS.filter((m) => m.prices.tiers.length > 0);
    expect(tiered.length).toBeGreaterThan(0);
    for (const model of tiered) {
      const above = (model.prices.tiers[0]?.aboveTokens ?? 0) + 50_000;
      cases.push([model, { input: above, output: 20_000, cached: 30_000, writes: 5000, reasoning: 7000 }]);
    }
    cases.push([MODELS.find((m) => m.prices.cacheRead === null) as StoredModel, base]);

    for (const [model, w] of cases) {
      const res = await calc(
        `provider=${model.provider}&model=${encodeURIComponent(model.id)}&input_tokens=${w.input}&output_tokens=${w.output}` +
          `&cached_tokens=${w.cached}&cache_write_tokens=${w.writes}&reasoning_tokens=${w.reasoning}&requests=3`,
      );
      const label = `${model.provider}/${model.id}`;
      expect(res.status, label).toBe(200);
      const want = expectedCost(model, w);
      const got = res.body.data;
      expect(got.tier, label).toBe(want.tier);
      expect(got.per_request.input_cost_exact, label).toBe(want.inputCost);
      expect(got.per_request.output_cost_exact, label).toBe(want.outputCost);
      expect(got.per_request.total_cost_exact, label).toBe(want.total);
      expect(got.total.total_cost_exact, label).toBe(mul(want.total, 3));
      expect(got.total.input_cost_exact, label).toBe(mul(want.inputCost, 3));
      for (const kind of ["input", "cache_read", "cache_write", "output", "reasoning"] as const) {
        const line = got.per_request.breakdown[kind];
        expect(line.rate_per_token, `${label} ${kind}`).toBe(want.rates[kind]);
        expect(line.cost_exact, `${label} ${kind}`).toBe(want.lines[kind]);
        expect(mul(line.rate_per_token, line.tokens), `${label} ${kind}`).toBe(line.cost_exact);
        expect(line.rate_per_1m).toBe(Number(mul(line.rate_per_token, 1_000_000)));
      }
    }
  });

  it("accepts the model as provider + id, provider/id, a bare id or an alias", async () => {
    const workload = "input_tokens=1000&output_tokens=100";
    const mini = stored("openai", "gpt-4o-mini");
    const answers = await Promise.all(
      [
        "provider=openai&model=gpt-4o-mini",
        "model=openai/gpt-4o-mini",
        "provider=openai&model=openai/gpt-4o-mini",
        "model=gpt-4o-mini",
        `model=${mini.aliases[0]}`,
        `provider=openai&model=${mini.aliases[0]}`,
      ].map((q) => calc(`${q}&${workload}`)),
    );
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toMatchObject({ provider: "openai", model: "gpt-4o-mini" });
      expect(res.body.data.per_request.total_cost_exact).toBe(
        answers[0]?.body.data.per_request.total_cost_exact,
      );
    }
  });

  it("rejects bad calculator input with the offending field", async () => {
    const ok = "model=openai/gpt-4o-mini&input_tokens=100&output_tokens=10";
    expectInvalid(await calc("model=openai/gpt-4o-mini&input_tokens=-1&output_tokens=10"), "input_tokens");
    expectInvalid(await calc("model=openai/gpt-4o-mini&input_tokens=1.5&output_tokens=10"), "input_tokens");
    expectInvalid(await calc("model=openai/gpt-4o-mini&input_tokens=lots&output_tokens=10"), "input_tokens");
    expectInvalid(await calc("model=openai/gpt-4o-mini&input_tokens=100"), "output_tokens");
    expectInvalid(
      await calc("model=openai/gpt-4o-mini&input_tokens=100&output_tokens=100000001"),
      "output_tokens",
    );
    expectInvalid(await calc(`${ok}&cached_tokens=101`), "cached_tokens");
    expectInvalid(await calc(`${ok}&cached_tokens=60&cache_write_tokens=41`), "cache_write_tokens");
    expectInvalid(await calc(`${ok}&reasoning_tokens=11`), "reasoning_tokens");
    expectInvalid(await calc(`${ok}&requests=0`), "requests");
    expectInvalid(await calc(`${ok}&requests=1000000001`), "requests");
    expectInvalid(await calc(`${ok}&requests=2.5`), "requests");
    expectInvalid(await calc("input_tokens=100&output_tokens=10"), "model");
    expectInvalid(await calc("model=openai/gpt-9000&input_tokens=100&output_tokens=10"), "model", "gpt-9000");
    expectInvalid(await calc("provider=anthropic&model=gpt-4o-mini&input_tokens=1&output_tokens=1"), "model");
    expectInvalid(await calc("provider=acme&model=gpt-4o-mini&input_tokens=1&output_tokens=1"), "provider");
    // At the edges the answer is still exact.
    const edge = await calc(
      `${ok}&cached_tokens=60&cache_write_tokens=40&reasoning_tokens=10&requests=1000000000`,
    );
    expect(edge.status).toBe(200);
  });

  it("compares models cheapest first, with exact totals and ratios", async () => {
    const names = [
      "anthropic/claude-sonnet-4-5",
      "openai/gpt-4o-mini",
      "google/gemini-2.5-pro",
      "openai/gpt-4o",
    ];
    const w: Workload = { input: 50_000, output: 2000, cached: 20_000, writes: 0, reasoning: 0 };
    const res = await get(
      `/pricing/compare?models=${names.join(",")}&input_tokens=${w.input}&output_tokens=${w.output}&cached_tokens=${w.cached}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const expected = names
      .map((name) => {
        const [provider = "", id = ""] = name.split("/");
        return { name, total: expectedCost(stored(provider, id), w).total };
      })
      .sort((a, b) => Number(a.total) - Number(b.total));
    const rows = res.body.data.models;
    expect(rows.map((r: { provider: string; model: string }) => `${r.provider}/${r.model}`)).toEqual(
      expected.map((e) => e.name),
    );
    expect(res.body.data).toMatchObject({ input_tokens: 50_000, output_tokens: 2000, cached_tokens: 20_000 });
    expect(res.body.data.cheapest).toBe(expected[0]?.name);
    const cheapest = expected[0]?.total as string;
    rows.forEach((row: any, i: number) => {
      expect(row.rank).toBe(i + 1);
      expect(row.total_cost_exact).toBe(expected[i]?.total);
      expect(row.total_cost).toBe(Number(expected[i]?.total));
      expect(row.ratio_to_cheapest).toBeCloseTo(Number(expected[i]?.total) / Number(cheapest), 5);
      if (i > 0) expect(row.ratio_to_cheapest).toBeGreaterThanOrEqual(rows[i - 1].ratio_to_cheapest);
    });
    expect(rows[0].ratio_to_cheapest).toBe(1);
  });

  it("removes duplicate models, aliases included, and accepts a repeated parameter", async () => {
    const mini = stored("openai", "gpt-4o-mini");
    const res = await get(
      `/pricing/compare?models=openai/gpt-4o-mini,gpt-4o-mini&models=openai/${mini.aliases[0]}` +
        "&models=anthropic/claude-sonnet-4-5&input_tokens=1000&output_tokens=1000",
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.models.map((r: { model: string }) => r.model)).toEqual([
      "gpt-4o-mini",
      "claude-sonnet-4-5",
    ]);
    const single = await get("/pricing/compare?models=openai/gpt-4o-mini&input_tokens=1000&output_tokens=0");
    expect(single.body.data.models).toHaveLength(1);
    expect(single.body.data.models[0]).toMatchObject({ ratio_to_cheapest: 1, total_cost_exact: "0.00015" });
  });

  it("rejects bad comparisons with the offending field", async () => {
    const workload = "input_tokens=10&output_tokens=10";
    const distinct = MODELS.map((m) => `${m.provider}/${m.id}`);
    const ok20 = await get(`/pricing/compare?models=${distinct.slice(0, 20).join(",")}&${workload}`);
    expect(ok20.status).toBe(200);
    expect(ok20.body.data.models).toHaveLength(20);
    expectInvalid(
      await get(`/pricing/compare?models=${distinct.slice(0, 21).join(",")}&${workload}`),
      "models",
    );
    const fiveHundred = Array.from({ length: 500 }, (_, i) => `openai/m${i}`).join(",");
    expectInvalid(await get(`/pricing/compare?models=${fiveHundred}&${workload}`), "models");
    expectInvalid(
      await get(`/pricing/compare?models=openai/gpt-4o-mini,openai/gpt-9000&${workload}`),
      "models",
      "gpt-9000",
    );
    expectInvalid(await get(`/pricing/compare?models=,&${workload}`), "models");
    expectInvalid(await get(`/pricing/compare?${workload}`), "models");
    expectInvalid(
      await get(
        "/pricing/compare?models=openai/gpt-4o-mini&input_tokens=10&output_tokens=10&cached_tokens=11",
      ),
      "cached_tokens",
    );
    expectInvalid(
      await get("/pricing/compare?models=openai/gpt-4o-mini&input_tokens=-10&output_tokens=10"),
      "input_tokens",
    );
  });

  it("works through the typed client", async () => {
    const client = createLlmgClient({ baseUrl: t.url, apiKey: key });
    const cost = await client.pricing.calculator.query({
      model: "openai/gpt-4o-mini",
      input_tokens: 1_000_000,
      output_tokens: 1_000_000,
      requests: 2,
    });
    expect(cost.data.total.total_cost_exact).toBe("1.5");
    const compared = await client.pricing.compare.query({
      models: ["openai/gpt-4o-mini", "openai/gpt-4o"],
      input_tokens: 100,
      output_tokens: 100,
    });
    expect(compared.data.cheapest).toBe("openai/gpt-4o-mini");
  });
});

describe("pricing endpoints with operator overrides (LLMG_PRICING_FILE)", () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "llmg-pricing-")), "overrides.json");
    writeFileSync(
      file,
      JSON.stringify({
        "openai/gpt-4o-mini": { input_cost_per_token: "0.000001" },
        "anthropic/claude-next": {
          input_cost_per_token: "0.000002",
          output_cost_per_token: "0.00001",
          max_input_tokens: 400000,
        },
      }),
    );
    t = await startTestGateway("pglite", { env: { LLMG_PRICING_FILE: file } });
    key = (await createUserWithKey(t)).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lists, shows and prices the overridden and added models", async () => {
    const get = (path: string) => call(`${t.url}/api${path}`, { key });
    const mini = await get("/models/openai/gpt-4o-mini");
    expect(mini.body.data).toMatchObject({
      origin: "override",
      prices: { per_token: { input: "0.000001" } },
    });
    // 1,000,000 × 0.000001 = 1; output keeps the built-in 0.0000006 → 0.6.
    const cost = await get(
      "/pricing/calculator?model=openai/gpt-4o-mini&input_tokens=1000000&output_tokens=1000000",
    );
    expect(cost.body.data.per_request).toMatchObject({ input_cost_exact: "1", total_cost_exact: "1.6" });
    const added = await get("/models?provider=anthropic&q=claude-next");
    expect(added.body.data.map((m: { id: string }) => m.id)).toEqual(["claude-next"]);
    const providers = await get("/providers");
    const anthropic = providers.body.data.find((p: { id: string }) => p.id === "anthropic");
    expect(anthropic.model_count).toBe(MODELS.filter((m) => m.provider === "anthropic").length + 1);
  });
});
