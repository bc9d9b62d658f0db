import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createLlmgClient } from "@llmg/client";
import { compareDecimals, multiplyDecimal } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

// The committed price data the catalog is built from: expectations are derived from it, so the
// tests keep passing when prices are re-synced and still catch any drift in the API's mapping.
interface StoredModel {
  provider: string;
  deprecationDate: string | null;
  id: string;
  aliases: string[];
  displayName: string;
  contextWindow: number | null;
  capabilities: string[];
  prices: { input: string; output: string; cacheRead: string | null; tiers: { aboveTokens: number }[] };
}
const DATA = JSON.parse(
  readFileSync(
    new URL("../../../packages/core/src/catalog/data/models.generated.json", import.meta.url),
    "utf8",
  ),
) as { models: StoredModel[]; source: { date: string; name: string; sha256: string } };
const MODELS = DATA.models;
const PROVIDERS = ["openai", "anthropic", "google", "deepseek", "mistral"];

const per1m = (rate: string) => multiplyDecimal(rate, 1_000_000);
const ids = (rows: { provider: string; id: string }[]) => rows.map((r) => `${r.provider}/${r.id}`);

function expectInvalid(res: { status: number; body: any }, field: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toMatchObject({ success: false, error: "validation_error" });
  expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
}

function expectNotFound(res: { status: number; body: any }) {
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ success: false, error: "not_found" });
  expect(res.body.request_id).toMatch(/^req_/);
}

describe.each(testBackends())("catalog endpoints on %s", (kind) => {
  let t: TestGateway;
  let key: string;
  const get = (path: string) => call(`${t.url}/api${path}`, { key });
  /** Every page of a /models query, to check order and totals across page boundaries. */
  async function allModels(query: string) {
    const rows: any[] = [];
    for (let page = 1; ; page++) {
      const res = await get(`/models?per_page=100&page=${page}${query ? `&${query}` : ""}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      rows.push(...res.body.data);
      if (page >= res.body.pagination.total_pages) {
        expect(rows).toHaveLength(res.body.pagination.total);
        return rows;
      }
    }
  }

  beforeAll(async () => {
    t = await startTestGateway(kind);
    key = (await createUserWithKey(t)).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers 401 without a key and 403 with the admin key", async () => {
    for (const path of [
      "/providers",
      "/providers/openai",
      "/models",
      "/models/openai/gpt-4o-mini",
      "/pricing",
    ]) {
      const res = await call(`${t.url}/api${path}`);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error: "unauthorized" });
    }
    expect((await call(`${t.url}/api/models`, { key: t.adminKey })).status).toBe(403);
  });

  it("lists providers with model counts and exact price ranges", async () => {
    const res = await get("/providers");
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { id: string }) => p.id)).toEqual(PROVIDERS);
    for (const provider of res.body.data) {
      const own = MODELS.filter((m) => m.provider === provider.id);
      expect(provider.model_count).toBe(own.length);
      for (const [field, kind] of [
        ["input_price_per_1m", "input"],
        ["output_price_per_1m", "output"],
      ] as const) {
        const rates = own.map((m) => m.prices[kind]).sort(compareDecimals);
        const range = provider[field];
        expect(range.min_exact).toBe(per1m(rates[0] as string));
        expect(range.max_exact).toBe(per1m(rates.at(-1) as string));
        expect(range.min).toBe(Number(range.min_exact));
        expect(range.max).toBe(Number(range.max_exact));
      }
    }
    const openai = res.body.data[0];
    expect(openai).toMatchObject({ name: "OpenAI", status: "active", base_url: "https://api.openai.com/v1" });
    expect(openai.capabilities).toContain("streaming");
  });

  it("gets one provider with its models; unknown providers are 404", async () => {
    const res = await get("/providers/anthropic");
    expect(res.status).toBe(200);
    const own = MODELS.filter((m) => m.provider === "anthropic");
    expect(res.body.data).toMatchObject({ id: "anthropic", name: "Anthropic", model_count: own.length });
    expect(ids(res.body.data.models)).toEqual(ids(own).sort());
    expect((await get("/providers/Anthropic")).body.data.id).toBe("anthropic");
    expectNotFound(await get("/providers/nope"));
  });

  it("paginates models: totals, last page, and a page past the end", async () => {
    const total = MODELS.length;
    const first = await get("/models");
    expect(first.body.pagination).toEqual({
      page: 1,
      per_page: 20,
      total,
      total_pages: Math.ceil(total / 20),
    });
    expect(first.body.data).toHaveLength(20);
    // Default order: provider, then id.
    const expected = ids(MODELS).sort();
    expect(ids(first.body.data)).toEqual(expected.slice(0, 20));

    const lastPage = Math.ceil(total / 20);
    const last = await get(`/models?page=${lastPage}`);
    expect(last.body.data).toHaveLength(total - (lastPage - 1) * 20);
    expect(ids(last.body.data)).toEqual(expected.slice((lastPage - 1) * 20));

    const past = await get(`/models?page=${lastPage + 1}`);
    expect(past.status).toBe(200);
    expect(past.body.data).toEqual([]);
    expect(past.body.pagination).toMatchObject({ page: lastPage + 1, total, total_pages: lastPage });

    expect(ids(await allModels(""))).toEqual(expected);
  });

  it("filters models by provider, capabilities, context, input price and search", async () => {
    const openai = await allModels("provider=openai");
    expect(ids(openai)).toEqual(ids(MODELS.filter((m) => m.provider === "openai")).sort());

    const wanted = ["vision", "tools", "prompt_caching"];
    const expected = ids(MODELS.filter((m) => wanted.every((c) => m.capabilities.includes(c)))).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(await allModels("capability=vision&capability=tools&capability=prompt_caching"))).toEqual(
      expected,
    );
    expect(ids(await allModels("capability=vision,tools,prompt_caching"))).toEqual(expected);
    expect(ids(await allModels("capability=vision,tools&capability=prompt_caching"))).toEqual(expected);

    const big = await allModels("min_context=1000000");
    expect(ids(big)).toEqual(ids(MODELS.filter((m) => (m.contextWindow ?? 0) >= 1_000_000)).sort());
    expect(big.length).toBeGreaterThan(0);

    // gpt-4o-mini costs exactly $0.15/1M input: an inclusive, exact bound keeps it.
    const cheap = await allModels("max_input_price=0.15");
    expect(ids(cheap)).toEqual(
      ids(MODELS.filter((m) => compareDecimals(per1m(m.prices.input), "0.15") <= 0)).sort(),
    );
    expect(ids(cheap)).toContain("openai/gpt-4o-mini");

    const search = await allModels("q=4O-MINI");
    expect(ids(search)).toContain("openai/gpt-4o-mini");
    expect(search.every((m) => `${m.id} ${m.name}`.toLowerCase().includes("4o-mini"))).toBe(true);
    // Aliases are searched too.
    expect(ids(await allModels("q=2024-07-18"))).toContain("openai/gpt-4o-mini");

    const combined = await allModels("provider=anthropic&capability=reasoning&min_context=200000&q=sonnet");
    expect(combined.length).toBeGreaterThan(0);
    for (const m of combined) {
      expect(m.provider).toBe("anthropic");
      expect(m.capabilities).toContain("reasoning");
      expect(m.context_window).toBeGreaterThanOrEqual(200000);
    }
    const none = await get("/models?q=no-such-model-anywhere");
    expect(none.body).toMatchObject({ data: [], pagination: { total: 0, total_pages: 0 } });
  });

  it("sorts models by price, context window and name, both ways", async () => {
    const byInput = await allModels("sort=input_price");
    for (let i = 1; i < byInput.length; i++) {
      expect(
        compareDecimals(byInput[i - 1].prices.per_token.input, byInput[i].prices.per_token.input),
      ).toBeLessThanOrEqual(0);
    }
    const byOutputDesc = await allModels("sort=output_price&order=desc");
    for (let i = 1; i < byOutputDesc.length; i++) {
      expect(
        compareDecimals(byOutputDesc[i - 1].prices.per_token.output, byOutputDesc[i].prices.per_token.output),
      ).toBeGreaterThanOrEqual(0);
    }
    const byContext = await allModels("sort=context_window&order=desc&provider=google");
    for (let i = 1; i < byContext.length; i++) {
      expect(byContext[i - 1].context_window).toBeGreaterThanOrEqual(byContext[i].context_window);
    }
    const byName = await allModels("sort=name");
    for (let i = 1; i < byName.length; i++) {
      expect(
        byName[i - 1].name.localeCompare(byName[i].name, "en", { sensitivity: "base" }),
      ).toBeLessThanOrEqual(0);
    }
    expect(byInput).toHaveLength(MODELS.length);
    // Pages of a sorted list join up to the whole sorted list.
    const firstPage = await get("/models?sort=input_price&per_page=7&page=2");
    expect(ids(firstPage.body.data)).toEqual(ids(byInput.slice(7, 14)));
  });

  it("rejects bad list parameters with the field named", async () => {
    expectInvalid(await get("/models?sort=price"), "sort");
    expectInvalid(await get("/models?order=up"), "order");
    expectInvalid(await get("/models?per_page=101"), "per_page");
    expectInvalid(await get("/models?page=0"), "page");
    expectInvalid(await get("/models?page=abc"), "page");
    expectInvalid(await get("/models?provider=acme"), "provider");
    expectInvalid(await get("/models?capability=tools,telepathy"), "capability");
    expectInvalid(await get("/models?min_context=-5"), "min_context");
    expectInvalid(await get("/models?min_context=1.5"), "min_context");
    expectInvalid(await get("/models?max_input_price=cheap"), "max_input_price");
    expectInvalid(await get("/models?max_input_price=-1"), "max_input_price");
    expectInvalid(await get(`/models?q=${"x".repeat(201)}`), "q");
  });

  it("gets a model with every price, by id or alias; unknown ones are 404", async () => {
    const stored = MODELS.find((m) => m.provider === "openai" && m.id === "gpt-4o-mini") as StoredModel;
    const res = await get("/models/openai/gpt-4o-mini");
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      provider: "openai",
      id: "gpt-4o-mini",
      name: stored.displayName,
      aliases: stored.aliases,
      context_window: stored.contextWindow,
      capabilities: stored.capabilities,
      deprecation_date: null,
      deprecated: false,
      origin: "builtin",
      price_date: DATA.source.date,
      price_source: DATA.source,
      tiers: [],
    });
    expect(res.body.data.prices.per_token).toMatchObject({
      input: stored.prices.input,
      output: stored.prices.output,
      cache_read: stored.prices.cacheRead,
    });
    // Hand-checked against the committed data: $0.15 in, $0.60 out, $0.075 cached per 1M.
    expect(res.body.data.prices.per_1m).toMatchObject({ input: 0.15, output: 0.6, cache_read: 0.075 });

    const alias = stored.aliases[0] as string;
    const byAlias = await get(`/models/openai/${alias}`);
    expect(byAlias.status).toBe(200);
    expect(byAlias.body.data.id).toBe("gpt-4o-mini");

    // A model without a cache-read discount shows the rate its cache reads are billed at.
    const noCache = MODELS.find((m) => m.prices.cacheRead === null) as StoredModel;
    const plain = await get(`/models/${noCache.provider}/${noCache.id}`);
    expect(plain.body.data.prices.per_token.cache_read).toBe(noCache.prices.input);

    const tiered = MODELS.find((m) => m.prices.tiers.length > 0) as StoredModel;
    const withTiers = await get(`/models/${tiered.provider}/${tiered.id}`);
    expect(withTiers.body.data.tiers.map((x: { above_tokens: number }) => x.above_tokens)).toEqual(
      tiered.prices.tiers.map((x) => x.aboveTokens),
    );

    const today = new Date().toISOString().slice(0, 10);
    const retired = MODELS.find((m) => m.deprecationDate !== null && m.deprecationDate <= today);
    expect(retired).toBeDefined();
    const old = await get(`/models/${retired?.provider}/${retired?.id}`);
    expect(old.body.data).toMatchObject({ deprecation_date: retired?.deprecationDate, deprecated: true });

    expectNotFound(await get("/models/openai/gpt-9000"));
    expectNotFound(await get("/models/acme/gpt-4o-mini"));
    expectNotFound(await get("/models/anthropic/gpt-4o-mini"));
  });

  it("serves the price list, filterable by provider", async () => {
    const res = await get("/pricing");
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      currency: "USD",
      price_date: DATA.source.date,
      source: DATA.source.name,
    });
    expect(res.body.data.models).toHaveLength(MODELS.length);
    for (const row of res.body.data.models) {
      const stored = MODELS.find((m) => m.provider === row.provider && m.id === row.model) as StoredModel;
      expect(row.prices.per_token.input).toBe(stored.prices.input);
      expect(row.prices.per_1m.input).toBe(Number(per1m(stored.prices.input)));
      expect(row.prices.per_1m.output).toBe(Number(per1m(stored.prices.output)));
    }
    const anthropic = await get("/pricing?provider=anthropic");
    expect(anthropic.body.data.models.every((m: { provider: string }) => m.provider === "anthropic")).toBe(
      true,
    );
    expect(anthropic.body.data.models).toHaveLength(MODELS.filter((m) => m.provider === "anthropic").length);
    expectInvalid(await get("/pricing?provider=acme"), "provider");
  });

  it("works through the typed client", async () => {
    const client = createLlmgClient({ baseUrl: t.url, apiKey: key });
    const model = await client.models.get.query({ provider: "openai", model: "gpt-4o-mini" });
    expect(model.data.prices.per_token.input).toBe("0.00000015");
    const list = await client.models.list.query({
      provider: "deepseek",
      capability: ["tools"],
      sort: "input_price",
    });
    expect(list.data.every((m) => m.provider === "deepseek" && m.capabilities.includes("tools"))).toBe(true);
  });
});

describe("catalog endpoints in the OpenAPI document", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("documents every catalog and pricing path, and the document stays valid", async () => {
    const doc = (await call(`${t.url}/openapi.json`)).body;
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    const paths = [
      "/providers",
      "/providers/{provider}",
      "/models",
      "/models/{provider}/{model}",
      "/pricing",
      "/pricing/calculator",
      "/pricing/compare",
    ];
    for (const path of paths) {
      const get = doc.paths[path]?.get;
      expect(get, path).toBeDefined();
      expect(get.summary).toBeTruthy();
      // A key, or a browser session (POST /api/session) with its cookie.
      expect(get.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
      expect(get.responses["400"].content["application/json"].schema.$ref).toBe(
        "#/components/schemas/ErrorEnvelope",
      );
    }
    const params = (path: string) =>
      Object.fromEntries(doc.paths[path].get.parameters.map((p: { name: string }) => [p.name, p]));
    const models = params("/models");
    expect(models.sort.schema.enum).toEqual(["name", "input_price", "output_price", "context_window"]);
    expect(models.capability.schema.type).toBe("array");
    const calculator = params("/pricing/calculator");
    for (const name of ["provider", "model", "input_tokens", "output_tokens", "cached_tokens", "requests"]) {
      expect(calculator[name], name).toBeDefined();
    }
    expect(calculator.input_tokens.schema).toMatchObject({
      type: "integer",
      minimum: 0,
      maximum: 100_000_000,
    });
    expect(JSON.stringify(doc.paths["/pricing/calculator"].get)).toContain('"example"');
    expect(params("/pricing/compare").models.required).toBe(true);
  });
});
