import { describe, expect, it } from "vitest";
import { defaultCatalog } from "../catalog/catalog";
import type { ModelInfo, ModelPrices } from "../catalog/types";
import type { Usage } from "../usage";
import { InvalidUsageError, maxCostFor, priceUsage } from "./price-usage";

/**
 * Worked examples: each provider's usage block as it reports it, normalised to our Usage
 * (OpenAI convention) the way providers.md describes, priced with the committed snapshot's rates
 * and checked against sums done by hand.
 */

function model(provider: string, id: string): ModelInfo {
  const found = defaultCatalog.model(provider, id);
  if (!found) throw new Error(`missing ${provider}/${id}`);
  return found;
}

function usage(parts: Partial<Usage>): Usage {
  return {
    promptTokens: 0,
    completionTokens: 0,
    cachedReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    estimated: false,
    ...parts,
  };
}

describe("OpenAI: cached_tokens and reasoning_tokens are inside the totals", () => {
  it("gpt-4o-mini with a cache hit", () => {
    const gpt = model("openai", "gpt-4o-mini");
    expect(gpt.prices).toMatchObject({ input: "0.00000015", output: "0.0000006", cacheRead: "0.000000075" });
    // usage: { prompt_tokens: 2000, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1500 } }
    const cost = priceUsage(
      gpt,
      usage({ promptTokens: 2000, cachedReadTokens: 1500, completionTokens: 300 }),
    );
    // 500 × 0.00000015 = 0.000075; 1500 × 0.000000075 = 0.0001125; 300 × 0.0000006 = 0.00018
    expect(cost).toEqual({
      promptCost: "0.0001875",
      completionCost: "0.00018",
      totalCost: "0.0003675",
      breakdown: {
        input: "0.000075",
        cacheRead: "0.0001125",
        cacheWrite: "0",
        output: "0.00018",
        reasoning: "0",
      },
      tier: null,
    });
  });

  it("o3 with reasoning tokens, billed once at the output rate", () => {
    const o3 = model("openai", "o3");
    expect(o3.prices).toMatchObject({
      input: "0.000002",
      output: "0.000008",
      cacheRead: "0.0000005",
      reasoning: null,
    });
    // prompt_tokens 1200 (cached 1024), completion_tokens 900 (reasoning 600)
    const cost = priceUsage(
      o3,
      usage({ promptTokens: 1200, cachedReadTokens: 1024, completionTokens: 900, reasoningTokens: 600 }),
    );
    // 176 × 0.000002 = 0.000352; 1024 × 0.0000005 = 0.000512; 300 × 0.000008 = 0.0024; 600 × 0.000008 = 0.0048
    expect(cost.breakdown).toEqual({
      input: "0.000352",
      cacheRead: "0.000512",
      cacheWrite: "0",
      output: "0.0024",
      reasoning: "0.0048",
    });
    expect(cost.promptCost).toBe("0.000864");
    expect(cost.completionCost).toBe("0.0072");
    expect(cost.totalCost).toBe("0.008064");
  });

  it("gpt-5.4 above its 272k tier bills every token at the tier's rates", () => {
    const gpt = model("openai", "gpt-5.4");
    expect(gpt.prices.tiers).toEqual([
      { aboveTokens: 272000, input: "0.000005", output: "0.0000225", cacheRead: "0.0000005" },
    ]);
    const cost = priceUsage(
      gpt,
      usage({ promptTokens: 300_000, cachedReadTokens: 100_000, completionTokens: 100 }),
    );
    // 200000 × 0.000005 = 1; 100000 × 0.0000005 = 0.05; 100 × 0.0000225 = 0.00225
    expect(cost).toMatchObject({
      promptCost: "1.05",
      completionCost: "0.00225",
      totalCost: "1.05225",
      tier: 272000,
    });
  });
});

describe("Anthropic: input_tokens excludes cache reads and writes", () => {
  const sonnet = model("anthropic", "claude-sonnet-4-5");

  it("has the snapshot's rates", () => {
    expect(sonnet.prices).toMatchObject({
      input: "0.000003",
      output: "0.000015",
      cacheRead: "0.0000003",
      cacheWrite: "0.00000375",
    });
  });

  it("claude-sonnet-4-5 reading and writing the cache", () => {
    // usage: { input_tokens: 100, cache_read_input_tokens: 5000, cache_creation_input_tokens: 2000, output_tokens: 400 }
    const reported = {
      input_tokens: 100,
      cache_read_input_tokens: 5000,
      cache_creation_input_tokens: 2000,
      output_tokens: 400,
    };
    const normalised = usage({
      promptTokens:
        reported.input_tokens + reported.cache_read_input_tokens + reported.cache_creation_input_tokens,
      cachedReadTokens: reported.cache_read_input_tokens,
      cacheWriteTokens: reported.cache_creation_input_tokens,
      completionTokens: reported.output_tokens,
    });
    // 100 × 0.000003 = 0.0003; 5000 × 0.0000003 = 0.0015; 2000 × 0.00000375 = 0.0075; 400 × 0.000015 = 0.006
    expect(priceUsage(sonnet, normalised)).toEqual({
      promptCost: "0.0093",
      completionCost: "0.006",
      totalCost: "0.0153",
      breakdown: {
        input: "0.0003",
        cacheRead: "0.0015",
        cacheWrite: "0.0075",
        output: "0.006",
        reasoning: "0",
      },
      tier: null,
    });
  });

  it("the dated alias prices identically", () => {
    const dated = defaultCatalog.model("anthropic", "claude-sonnet-4-5-20250929");
    expect(dated).toBe(sonnet);
  });

  it("above 200k prompt tokens (cache reads included) every rate switches", () => {
    // input_tokens 150000 + cache_read_input_tokens 60000 = 210000 > 200000
    const cost = priceUsage(
      sonnet,
      usage({ promptTokens: 210_000, cachedReadTokens: 60_000, completionTokens: 1000 }),
    );
    // 150000 × 0.000006 = 0.9; 60000 × 0.0000006 = 0.036; 1000 × 0.0000225 = 0.0225
    expect(cost).toEqual({
      promptCost: "0.936",
      completionCost: "0.0225",
      totalCost: "0.9585",
      breakdown: { input: "0.9", cacheRead: "0.036", cacheWrite: "0", output: "0.0225", reasoning: "0" },
      tier: 200000,
    });
  });

  it("exactly 200k prompt tokens stays at base rates", () => {
    const cost = priceUsage(sonnet, usage({ promptTokens: 200_000, completionTokens: 10 }));
    // 200000 × 0.000003 = 0.6; 10 × 0.000015 = 0.00015
    expect(cost).toMatchObject({ totalCost: "0.60015", tier: null });
  });
});

describe("Gemini: promptTokenCount includes cached content; thoughts are extra output", () => {
  it("gemini-2.5-flash with cached content and thinking", () => {
    const flash = model("google", "gemini-2.5-flash");
    // LiteLLM lists a reasoning rate equal to the output rate, so none is stored.
    expect(flash.prices).toMatchObject({
      input: "0.0000003",
      output: "0.0000025",
      cacheRead: "0.00000003",
      reasoning: null,
    });
    const reported = {
      promptTokenCount: 10_000,
      cachedContentTokenCount: 4000,
      candidatesTokenCount: 500,
      thoughtsTokenCount: 1500,
    };
    const normalised = usage({
      promptTokens: reported.promptTokenCount,
      cachedReadTokens: reported.cachedContentTokenCount,
      completionTokens: reported.candidatesTokenCount + reported.thoughtsTokenCount,
      reasoningTokens: reported.thoughtsTokenCount,
    });
    // 6000 × 0.0000003 = 0.0018; 4000 × 0.00000003 = 0.00012; 500 × 0.0000025 = 0.00125; 1500 × 0.0000025 = 0.00375
    expect(priceUsage(flash, normalised)).toEqual({
      promptCost: "0.00192",
      completionCost: "0.005",
      totalCost: "0.00692",
      breakdown: {
        input: "0.0018",
        cacheRead: "0.00012",
        cacheWrite: "0",
        output: "0.00125",
        reasoning: "0.00375",
      },
      tier: null,
    });
  });

  it("gemini-2.5-pro above 200k, with the tier's cache-read rate", () => {
    const pro = model("google", "gemini-2.5-pro");
    expect(pro.prices.tiers).toEqual([
      { aboveTokens: 200000, input: "0.0000025", output: "0.000015", cacheRead: "0.00000025" },
    ]);
    // promptTokenCount 250000 (cachedContentTokenCount 100000), candidates 2000, thoughts 1000
    const cost = priceUsage(
      pro,
      usage({
        promptTokens: 250_000,
        cachedReadTokens: 100_000,
        completionTokens: 3000,
        reasoningTokens: 1000,
      }),
    );
    // 150000 × 0.0000025 = 0.375; 100000 × 0.00000025 = 0.025; 2000 × 0.000015 = 0.03; 1000 × 0.000015 = 0.015
    expect(cost).toEqual({
      promptCost: "0.4",
      completionCost: "0.045",
      totalCost: "0.445",
      breakdown: { input: "0.375", cacheRead: "0.025", cacheWrite: "0", output: "0.03", reasoning: "0.015" },
      tier: 200000,
    });
  });

  it("gemini-2.0-flash resolves through its -001 alias", () => {
    const flash = model("google", "gemini-2.0-flash-001");
    expect(flash.id).toBe("gemini-2.0-flash");
    // 1000 × 0.0000001 + 1000 × 0.0000004
    expect(priceUsage(flash, usage({ promptTokens: 1000, completionTokens: 1000 })).totalCost).toBe("0.0005");
  });
});

describe("DeepSeek: prompt_cache_hit_tokens + prompt_cache_miss_tokens = prompt_tokens", () => {
  it("deepseek-chat with a cache hit", () => {
    const chat = model("deepseek", "deepseek-chat");
    expect(chat.prices).toMatchObject({
      input: "0.00000028",
      output: "0.00000042",
      cacheRead: "0.000000028",
    });
    const reported = {
      prompt_tokens: 4000,
      prompt_cache_hit_tokens: 3000,
      prompt_cache_miss_tokens: 1000,
      completion_tokens: 500,
    };
    const cost = priceUsage(
      chat,
      usage({
        promptTokens: reported.prompt_tokens,
        cachedReadTokens: reported.prompt_cache_hit_tokens,
        completionTokens: reported.completion_tokens,
      }),
    );
    // 1000 × 0.00000028 = 0.00028; 3000 × 0.000000028 = 0.000084; 500 × 0.00000042 = 0.00021
    expect(cost).toMatchObject({ promptCost: "0.000364", completionCost: "0.00021", totalCost: "0.000574" });
    expect(cost.breakdown.input).toBe("0.00028");
    expect(cost.breakdown.cacheRead).toBe("0.000084");
  });

  it("deepseek-reasoner reasoning tokens at the output rate", () => {
    const reasoner = model("deepseek", "deepseek-reasoner");
    const cost = priceUsage(
      reasoner,
      usage({ promptTokens: 100, completionTokens: 800, reasoningTokens: 600 }),
    );
    // 100 × 0.00000028 = 0.000028; 200 × 0.00000042 = 0.000084; 600 × 0.00000042 = 0.000252
    expect(cost.breakdown).toMatchObject({ input: "0.000028", output: "0.000084", reasoning: "0.000252" });
    expect(cost.totalCost).toBe("0.000364");
  });
});

describe("Mistral: plain prompt and completion counts", () => {
  it("mistral-large-latest", () => {
    const large = model("mistral", "mistral-large-latest");
    expect(large.prices).toMatchObject({ input: "0.0000005", output: "0.0000015", cacheRead: null });
    const cost = priceUsage(large, usage({ promptTokens: 1234, completionTokens: 567 }));
    // 1234 × 0.0000005 = 0.000617; 567 × 0.0000015 = 0.0008505
    expect(cost).toMatchObject({
      promptCost: "0.000617",
      completionCost: "0.0008505",
      totalCost: "0.0014675",
    });
  });
});

describe("rate fallbacks and tiers", () => {
  const prices = (overrides: Partial<ModelPrices>): ModelInfo => ({
    provider: "openai",
    id: "test-model",
    aliases: [],
    displayName: "Test",
    contextWindow: null,
    maxOutputTokens: null,
    capabilities: [],
    deprecationDate: null,
    sourceUrl: null,
    priceDate: null,
    origin: "override",
    prices: {
      input: "0.000001",
      output: "0.000002",
      cacheRead: null,
      cacheWrite: null,
      reasoning: null,
      tiers: [],
      ...overrides,
    },
  });

  it("cache reads and writes fall back to the input rate, never billed twice", () => {
    const cost = priceUsage(
      prices({}),
      usage({ promptTokens: 10, cachedReadTokens: 3, cacheWriteTokens: 2 }),
    );
    expect(cost.breakdown).toMatchObject({
      input: "0.000005",
      cacheRead: "0.000003",
      cacheWrite: "0.000002",
    });
    expect(cost.promptCost).toBe("0.00001");
  });

  it("a separate reasoning rate applies to reasoning tokens only", () => {
    const cost = priceUsage(
      prices({ reasoning: "0.000005" }),
      usage({ completionTokens: 10, reasoningTokens: 4 }),
    );
    expect(cost.breakdown).toMatchObject({ output: "0.000012", reasoning: "0.00002" });
  });

  it("the highest exceeded tier wins; unlisted kinds keep their base rate", () => {
    const tiered = prices({
      cacheRead: "0.0000001",
      tiers: [
        { aboveTokens: 1000, input: "0.00001" },
        { aboveTokens: 100, input: "0.000003", output: "0.000004" },
      ],
    });
    expect(priceUsage(tiered, usage({ promptTokens: 100, completionTokens: 1 })).tier).toBeNull();
    const mid = priceUsage(tiered, usage({ promptTokens: 101, cachedReadTokens: 1, completionTokens: 1 }));
    expect(mid).toMatchObject({
      tier: 100,
      breakdown: { input: "0.0003", cacheRead: "0.0000001", output: "0.000004" },
    });
    const high = priceUsage(tiered, usage({ promptTokens: 1001, completionTokens: 1 }));
    // The 1000 tier lists only input: output falls back to the base rate, not the 100 tier's.
    expect(high).toMatchObject({ tier: 1000, breakdown: { input: "0.01001", output: "0.000002" } });
  });

  it("a model without a cache-read rate bills cached tokens at the tier's input rate", () => {
    const tiered = prices({ tiers: [{ aboveTokens: 10, input: "0.000003" }] });
    const cost = priceUsage(tiered, usage({ promptTokens: 20, cachedReadTokens: 5 }));
    expect(cost.breakdown).toMatchObject({ input: "0.000045", cacheRead: "0.000015" });
  });
});

describe("validation", () => {
  const gpt = model("openai", "gpt-4o-mini");

  it.each<[Partial<Usage>, string]>([
    [{ promptTokens: -1 }, "promptTokens"],
    [{ completionTokens: 1.5 }, "completionTokens"],
    [{ promptTokens: Number.NaN }, "promptTokens"],
    [{ promptTokens: 10, cachedReadTokens: Number.POSITIVE_INFINITY }, "cachedReadTokens"],
    [{ promptTokens: 10, cachedReadTokens: 6, cacheWriteTokens: 5 }, "cachedReadTokens"],
    [{ completionTokens: 3, reasoningTokens: 4 }, "reasoningTokens"],
    [{ cacheWriteTokens: -2 }, "cacheWriteTokens"],
  ])("rejects %j", (parts, field) => {
    let caught: unknown;
    try {
      priceUsage(gpt, usage(parts));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidUsageError);
    expect(caught).toMatchObject({ field, code: "invalid_usage" });
  });

  it("prices zero usage at zero", () => {
    expect(priceUsage(gpt, usage({}))).toMatchObject({
      totalCost: "0",
      promptCost: "0",
      completionCost: "0",
    });
  });
});

describe("maxCostFor", () => {
  it("prices the prompt uncached and all output at the output rate", () => {
    // 1000 × 0.00000015 + 500 × 0.0000006 = 0.00015 + 0.0003
    expect(maxCostFor(model("openai", "gpt-4o-mini"), 1000, 500)).toBe("0.00045");
  });

  it("uses the cache-write rate when writes cost more than input (Anthropic)", () => {
    // 1000 × 0.00000375 + 100 × 0.000015
    expect(maxCostFor(model("anthropic", "claude-sonnet-4-5"), 1000, 100)).toBe("0.00525");
  });

  it("applies the prompt's tier", () => {
    // 250000 × 0.0000025 + 1000 × 0.000015
    expect(maxCostFor(model("google", "gemini-2.5-pro"), 250_000, 1000)).toBe("0.64");
  });

  it("uses the dearer of output and reasoning", () => {
    const reasoningModel: ModelInfo = {
      ...model("openai", "o3"),
      prices: {
        input: "0.000001",
        output: "0.000002",
        cacheRead: null,
        cacheWrite: null,
        reasoning: "0.000003",
        tiers: [],
      },
    };
    expect(maxCostFor(reasoningModel, 10, 10)).toBe("0.00004");
  });

  it("rejects bad counts", () => {
    expect(() => maxCostFor(model("openai", "o3"), -1, 10)).toThrow(InvalidUsageError);
    expect(() => maxCostFor(model("openai", "o3"), 1, 0.5)).toThrow(InvalidUsageError);
  });
});
