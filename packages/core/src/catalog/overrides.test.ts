import { describe, expect, it } from "vitest";
import { priceUsage } from "../pricing/price-usage";
import { createCatalog, defaultCatalog } from "./catalog";
import { PricingOverrideError } from "./overrides";

function overrideError(overrides: unknown): PricingOverrideError {
  try {
    createCatalog(overrides);
  } catch (error) {
    if (error instanceof PricingOverrideError) return error;
    throw error;
  }
  throw new Error("expected a PricingOverrideError");
}

describe("pricing overrides", () => {
  it("changes only the fields an entry names", () => {
    const catalog = createCatalog(
      { "gpt-4o-mini": { input_cost_per_token: 1e-7 } },
      { overridesDate: "2026-08-01" },
    );
    const model = catalog.model("openai", "gpt-4o-mini");
    expect(model?.prices).toEqual({
      ...defaultCatalog.model("openai", "gpt-4o-mini")?.prices,
      input: "0.0000001",
    });
    expect(model).toMatchObject({ origin: "override", priceDate: "2026-08-01", contextWindow: 128000 });
    expect(catalog.model("openai", "gpt-4o-mini-2024-07-18")).toBe(model);
    // The built-in table is untouched.
    expect(defaultCatalog.model("openai", "gpt-4o-mini")?.prices.input).toBe("0.00000015");
  });

  it("accepts exact decimal strings, LiteLLM prefixes and tier keys", () => {
    const catalog = createCatalog({
      "gemini/gemini-2.5-flash": {
        output_cost_per_token: "0.000003",
        input_cost_per_token_above_200k_tokens: "0.0000006",
        cache_read_input_token_cost: null,
      },
    });
    const flash = catalog.model("google", "gemini-2.5-flash");
    expect(flash?.prices).toMatchObject({
      input: "0.0000003",
      output: "0.000003",
      cacheRead: null,
      tiers: [{ aboveTokens: 200000, input: "0.0000006" }],
    });
    expect(flash?.priceDate).toBeNull();
  });

  it("leaves the price date alone when only metadata changes", () => {
    const catalog = createCatalog({ "gpt-4o": { deprecation_date: "2027-01-01", supports_vision: false } });
    expect(catalog.model("openai", "gpt-4o")).toMatchObject({
      priceDate: "2026-07-24",
      deprecationDate: "2027-01-01",
    });
    expect(catalog.model("openai", "gpt-4o")?.capabilities).not.toContain("vision");
  });

  it("adds new models, fine-tunes included", () => {
    const catalog = createCatalog({
      "ft:gpt-4o-mini-2024-07-18:acme::abc123": {
        litellm_provider: "openai",
        mode: "chat",
        input_cost_per_token: 3e-7,
        output_cost_per_token: 1.2e-6,
        max_input_tokens: 128000,
        supports_function_calling: true,
        tpm: 1000,
      },
      "anthropic/claude-next": { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
    });
    const ft = catalog.resolve("ft:gpt-4o-mini-2024-07-18:acme::abc123");
    expect(ft).toMatchObject({
      provider: "openai",
      contextWindow: 128000,
      maxOutputTokens: null,
      capabilities: ["tools"],
      prices: { input: "0.0000003", output: "0.0000012", cacheRead: null, reasoning: null, tiers: [] },
    });
    expect(catalog.model("anthropic", "claude-next")?.displayName).toBe("Claude Next");
  });

  it("splits an alias off when the override names it, leaving the canonical model alone", () => {
    const catalog = createCatalog({ "claude-sonnet-4-5-20250929": { input_cost_per_token: 0.000002 } });
    const dated = catalog.model("anthropic", "claude-sonnet-4-5-20250929");
    const canonical = catalog.model("anthropic", "claude-sonnet-4-5");
    expect(dated?.id).toBe("claude-sonnet-4-5-20250929");
    expect(dated?.prices.input).toBe("0.000002");
    expect(dated?.prices.cacheWrite).toBe("0.00000375");
    expect(canonical?.aliases).toEqual([]);
    expect(canonical?.prices.input).toBe("0.000003");
  });

  it("drops a reasoning rate equal to the output rate", () => {
    const catalog = createCatalog({ o3: { output_cost_per_reasoning_token: 0.000008 } });
    expect(catalog.model("openai", "o3")?.prices.reasoning).toBeNull();
  });

  it("feeds overridden prices into the cost math", () => {
    const catalog = createCatalog({ o3: { output_cost_per_reasoning_token: "0.00001" } });
    const o3 = catalog.model("openai", "o3");
    if (!o3) throw new Error("missing");
    const cost = priceUsage(o3, {
      promptTokens: 0,
      cachedReadTokens: 0,
      cacheWriteTokens: 0,
      completionTokens: 10,
      reasoningTokens: 4,
      estimated: false,
    });
    // 6 × 0.000008 + 4 × 0.00001
    expect(cost.breakdown).toMatchObject({ output: "0.000048", reasoning: "0.00004" });
  });

  it("ignores LiteLLM's sample_spec documentation row", () => {
    expect(() => createCatalog({ sample_spec: { litellm_provider: "one of ..." } })).not.toThrow();
  });

  it.each<[string, unknown, string | null, string | null, RegExp]>([
    ["not an object", [], null, null, /expected a JSON object/],
    [
      "a bad price",
      { "gpt-4o": { input_cost_per_token: "cheap" } },
      "gpt-4o",
      "input_cost_per_token",
      /decimal/,
    ],
    ["a negative price", { "gpt-4o": { output_cost_per_token: -1 } }, "gpt-4o", "output_cost_per_token", /./],
    [
      "a bad tier price",
      { "gpt-4o": { input_cost_per_token_above_128k_tokens: true } },
      "gpt-4o",
      "input_cost_per_token_above_128k_tokens",
      /./,
    ],
    [
      "a non-boolean flag",
      { "gpt-4o": { supports_vision: "yes" } },
      "gpt-4o",
      "supports_vision",
      /true or false/,
    ],
    ["a bad date", { "gpt-4o": { deprecation_date: "soon" } }, "gpt-4o", "deprecation_date", /YYYY-MM-DD/],
    ["a fractional limit", { "gpt-4o": { max_input_tokens: 1.5 } }, "gpt-4o", "max_input_tokens", /./],
    ["an entry that is not an object", { "gpt-4o": 5 }, "gpt-4o", null, /object/],
    ["a non-chat mode", { "gpt-4o": { mode: "embedding" } }, "gpt-4o", "mode", /chat/],
    [
      "an unserved provider",
      { "azure/gpt-4o": { litellm_provider: "azure" } },
      "azure/gpt-4o",
      "litellm_provider",
      /azure/,
    ],
    [
      "a contradicting prefix",
      { "openai/x": { litellm_provider: "mistral" } },
      "openai/x",
      "litellm_provider",
      /prefix/,
    ],
    [
      "an unknown bare model",
      { "brand-new": { input_cost_per_token: 1, output_cost_per_token: 1 } },
      "brand-new",
      "litellm_provider",
      /required/,
    ],
    [
      "a new model without prices",
      { "mistral/new-one": { input_cost_per_token: 1e-7 } },
      "mistral/new-one",
      "output_cost_per_token",
      /required/,
    ],
  ])("names the key and field of %s", (_label, overrides, key, field, message) => {
    const error = overrideError(overrides);
    expect(error.key).toBe(key);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    if (key !== null) expect(error.message).toContain(`"${key}"`);
  });
});
