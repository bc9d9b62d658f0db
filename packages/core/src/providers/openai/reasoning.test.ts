import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultCatalog } from "../../catalog";
import type { ModelInfo } from "../../catalog/types";
import { priceUsage } from "../../pricing";
import { formatAdjustments } from "../adjust";
import { closeAllPools } from "../http";
import { normalizeOpenAIUsage } from "../openai-compatible";
import { getAdapter } from "../registry";
import { type ChatRequestInput, REASONING_EFFORTS } from "../schema";
import { chatRequest, collect, testContext } from "../test-support";

/**
 * The catalog's parameter rules for OpenAI's models (param-rules/openai.ts) against the fake,
 * which refuses what the real API refuses (fake-providers src/openai-rules.ts): what a model
 * refuses is dropped or mapped and named, never sent to come back as a 400.
 */

const adapter = getAdapter("openai");
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("openai");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

const model = (id: string): ModelInfo => {
  const found = defaultCatalog.model("openai", id);
  if (!found) throw new Error(`${id} is not in the catalog`);
  return found;
};

const tools = [
  {
    type: "function" as const,
    function: {
      name: "get_weather",
      parameters: { type: "object", properties: { city: { type: "string" } } },
    },
  },
];

async function send(id: string, input: Partial<ChatRequestInput>) {
  const { request, adjusted } = adapter.adjust(chatRequest({ model: id, ...input }), model(id));
  fake.reset();
  await adapter.chat(request, testContext(fake.url));
  return { header: formatAdjustments(adjusted), body: fake.requests[0]?.body };
}

describe("openai reasoning models", () => {
  it("drops the sampling controls a reasoning model refuses and moves max_tokens to max_completion_tokens", async () => {
    const sent = await send("o4-mini", {
      temperature: 0.2,
      top_p: 0.5,
      presence_penalty: 0.1,
      frequency_penalty: 0.1,
      max_tokens: 100,
      stop: ["END"],
      reasoning_effort: "high",
    });
    expect(sent.header).toBe(
      "stop=dropped, presence_penalty=dropped, frequency_penalty=dropped, temperature=dropped, top_p=dropped, max_tokens=mapped",
    );
    expect(sent.body).toEqual({
      model: "o4-mini",
      messages: [{ role: "user", content: "Say hello." }],
      max_completion_tokens: 100,
      reasoning_effort: "high",
    });
  });

  it("keeps the defaults the reasoning models accept", async () => {
    const sent = await send("gpt-5", { temperature: 1, top_p: 1, max_completion_tokens: 20 });
    expect(sent.header).toBe("");
    expect(sent.body).toMatchObject({ temperature: 1, top_p: 1, max_completion_tokens: 20 });
  });

  it("drops reasoning_effort on a model that does not reason", async () => {
    const sent = await send("gpt-4o-mini", { reasoning_effort: "low", max_tokens: 5, temperature: 0.2 });
    expect(sent.header).toBe("reasoning_effort=dropped");
    expect(sent.body).toEqual({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Say hello." }],
      temperature: 0.2,
      max_tokens: 5,
    });
  });

  it("drops reasoning_effort with function tools on gpt-5.4 and sets none on gpt-5.6", async () => {
    const gpt54 = await send("gpt-5.4", { tools, reasoning_effort: "high" });
    expect(gpt54.header).toBe("reasoning_effort=dropped");
    expect(gpt54.body).not.toHaveProperty("reasoning_effort");

    const gpt56 = await send("gpt-5.6-sol", { tools });
    expect(gpt56.header).toBe("reasoning_effort=clamped:none");
    expect(gpt56.body).toMatchObject({ reasoning_effort: "none", tools });

    // Without tools the effort asked for goes through.
    // One change named, not a clamp to a value the tools rule then overrides.
    const minimal = await send("gpt-5.6-sol", { tools, reasoning_effort: "minimal" });
    expect(minimal.header).toBe("reasoning_effort=clamped:none");

    const plain = await send("gpt-5.6-sol", { reasoning_effort: "xhigh" });
    expect(plain.header).toBe("");
    expect(plain.body).toMatchObject({ reasoning_effort: "xhigh" });
  });

  it("clamps a reasoning_effort the model does not take to the nearest it does", async () => {
    const gpt56 = await send("gpt-5.6", { reasoning_effort: "minimal" });
    expect(gpt56.header).toBe("reasoning_effort=clamped:low");
    expect(gpt56.body).toMatchObject({ reasoning_effort: "low" });
    const o3 = await send("o3", { reasoning_effort: "none" });
    expect(o3.header).toBe("reasoning_effort=clamped:low");
    const gpt5 = await send("gpt-5", { reasoning_effort: "xhigh" });
    expect(gpt5.header).toBe("reasoning_effort=clamped:high");
    expect(gpt5.body).toMatchObject({ reasoning_effort: "high" });
  });

  it("sends every OpenAI model of the catalog a body the API accepts, whatever the client set", async () => {
    const openai = defaultCatalog.models("openai");
    expect(openai.length).toBeGreaterThan(30);
    for (const entry of openai) {
      for (const effort of REASONING_EFFORTS) {
        const { request } = adapter.adjust(
          chatRequest({ model: entry.id, reasoning_effort: effort, temperature: 0.5 }),
          entry,
        );
        const result = await adapter.chat(request, testContext(fake.url)).catch((error: unknown) => error);
        expect(result, `${entry.id} ${effort}`).toMatchObject({ role: "assistant" });
      }
      const { request } = adapter.adjust(
        chatRequest({
          model: entry.id,
          temperature: 0.3,
          top_p: 0.9,
          presence_penalty: 0.5,
          frequency_penalty: 0.5,
          max_tokens: 64,
          stop: ["END"],
          reasoning_effort: "low",
          tools,
          tool_choice: "auto",
          parallel_tool_calls: false,
        }),
        entry,
      );
      const result = await adapter.chat(request, testContext(fake.url)).catch((error: unknown) => error);
      expect(result, entry.id).toMatchObject({ role: "assistant" });
    }
  });
});

describe("openai request fields", () => {
  it("forwards reasoning_effort, parallel_tool_calls, prompt_cache_key, service_tier, seed and user", async () => {
    const sent = await send("gpt-5.2", {
      tools,
      parallel_tool_calls: false,
      prompt_cache_key: "tenant-42",
      service_tier: "default",
      seed: 7,
      user: "u-1",
      reasoning_effort: "medium",
      max_completion_tokens: 300,
    });
    expect(sent.header).toBe("");
    expect(sent.body).toEqual({
      model: "gpt-5.2",
      messages: [{ role: "user", content: "Say hello." }],
      max_completion_tokens: 300,
      seed: 7,
      tools,
      user: "u-1",
      reasoning_effort: "medium",
      parallel_tool_calls: false,
      prompt_cache_key: "tenant-42",
      service_tier: "default",
    });
  });

  it("drops a service tier the catalog has no prices for, so the books stay exact", async () => {
    for (const tier of ["flex", "priority", "scale"] as const) {
      const sent = await send("gpt-4o", { service_tier: tier });
      expect(sent.header).toBe("service_tier=dropped");
      expect(sent.body).not.toHaveProperty("service_tier");
    }
    expect((await send("gpt-4o", { service_tier: "auto" })).body).toMatchObject({ service_tier: "auto" });
  });

  it("sends no parallel_tool_calls without tools (the API refuses it)", async () => {
    const sent = await send("gpt-4o", { parallel_tool_calls: true });
    expect(sent.body).not.toHaveProperty("parallel_tool_calls");
  });
});

describe("openai cache writes", () => {
  const usage = { prompt: 1000, completion: 10, cachedRead: 200, cacheWrite: 300 };
  const expected = {
    promptTokens: 1000,
    completionTokens: 10,
    cachedReadTokens: 200,
    cacheWriteTokens: 300,
    reasoningTokens: 0,
    estimated: false,
  };

  it("normalises prompt_tokens_details.cache_write_tokens, streamed or not", async () => {
    fake.enqueue({ type: "success", usage }, { type: "stream", usage });
    const req = chatRequest({ model: "gpt-5.6" });
    expect((await adapter.chat(req, testContext(fake.url))).usage).toEqual(expected);
    expect((await collect(adapter.chatStream(req, testContext(fake.url)))).done.usage).toEqual(expected);
  });

  it("never lets cache reads and writes exceed the prompt", () => {
    expect(
      normalizeOpenAIUsage({
        prompt_tokens: 100,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens: 80, cache_write_tokens: 50 },
      }),
    ).toMatchObject({ promptTokens: 100, cachedReadTokens: 80, cacheWriteTokens: 20 });
  });

  it("bills cache writes at gpt-5.6's cache-write rate, the rest of the prompt at the input rate", () => {
    // gpt-5.6: input 0.000005, cacheRead 0.0000005, cacheWrite 0.00000625, output 0.00003 per token.
    // 500 × 0.000005 + 200 × 0.0000005 + 300 × 0.00000625 + 10 × 0.00003
    // = 0.0025 + 0.0001 + 0.001875 + 0.0003 = 0.004775
    const cost = priceUsage(model("gpt-5.6"), expected);
    expect(cost.breakdown).toEqual({
      input: "0.0025",
      cacheRead: "0.0001",
      cacheWrite: "0.001875",
      output: "0.0003",
      reasoning: "0",
    });
    expect(cost.totalCost).toBe("0.004775");
  });
});
