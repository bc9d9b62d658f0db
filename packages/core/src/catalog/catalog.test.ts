import { describe, expect, it } from "vitest";
import { isDecimalString } from "../pricing/decimal";
import { PROVIDER_IDS } from "../provider-ids";
import { AmbiguousModelError, createCatalog, defaultCatalog, isDeprecated } from "./catalog";

describe("providers", () => {
  it("lists the five providers with the SDK base URLs of providers.md", () => {
    expect(defaultCatalog.providers().map((p) => [p.id, p.defaultBaseUrl])).toEqual([
      ["openai", "https://api.openai.com/v1"],
      ["anthropic", "https://api.anthropic.com"],
      ["google", "https://generativelanguage.googleapis.com"],
      ["deepseek", "https://api.deepseek.com"],
      ["mistral", "https://api.mistral.ai/v1"],
    ]);
  });

  it("describes auth and capabilities", () => {
    expect(defaultCatalog.provider("anthropic")?.auth).toEqual({
      type: "header",
      header: "x-api-key",
      extraHeaders: { "anthropic-version": "2023-06-01" },
    });
    expect(defaultCatalog.provider("google")?.auth).toEqual({ type: "header", header: "x-goog-api-key" });
    expect(defaultCatalog.provider("openai")?.auth).toEqual({ type: "bearer" });
    expect(defaultCatalog.provider("openai")?.capabilities).toEqual([
      "chat",
      "json_mode",
      "streaming",
      "tools",
      "vision",
    ]);
    expect(defaultCatalog.provider("deepseek")?.capabilities).not.toContain("vision");
  });

  it("answers undefined for unknown ids, including Object.prototype names", () => {
    expect(defaultCatalog.provider("azure")).toBeUndefined();
    expect(defaultCatalog.provider("constructor")).toBeUndefined();
  });
});

describe("models", () => {
  it("has models for every provider, sorted by provider then id", () => {
    for (const provider of PROVIDER_IDS) expect(defaultCatalog.models(provider).length).toBeGreaterThan(0);
    const keys = defaultCatalog.models().map((m) => `${m.provider}/${m.id}`);
    expect(keys).toEqual([...keys].sort());
    expect(defaultCatalog.models("nope")).toEqual([]);
  });

  it("finds the ids named in the brief", () => {
    expect(defaultCatalog.model("openai", "gpt-4o-mini")?.displayName).toBe("GPT-4o Mini");
    expect(defaultCatalog.model("anthropic", "claude-sonnet-4-5")?.displayName).toBe("Claude Sonnet 4.5");
    expect(defaultCatalog.model("google", "gemini-2.0-flash")?.displayName).toBe("Gemini 2.0 Flash");
    expect(defaultCatalog.model("deepseek", "deepseek-chat")?.displayName).toBe("DeepSeek Chat");
    expect(defaultCatalog.model("mistral", "mistral-large-latest")?.displayName).toBe("Mistral Large Latest");
  });

  it("carries limits, capabilities, dates and provenance", () => {
    const sonnet = defaultCatalog.model("anthropic", "claude-sonnet-4-5");
    expect(sonnet).toMatchObject({
      contextWindow: 200000,
      maxOutputTokens: 64000,
      aliases: ["claude-sonnet-4-5-20250929"],
      deprecationDate: null,
      priceDate: "2026-07-24",
      origin: "builtin",
    });
    expect(sonnet?.capabilities).toEqual(
      expect.arrayContaining(["vision", "tools", "prompt_caching", "reasoning"]),
    );
    expect(defaultCatalog.model("google", "gemini-2.0-flash")?.deprecationDate).toBe("2026-06-01");
    expect(defaultCatalog.source).toMatchObject({ name: "litellm-model-prices.json", date: "2026-07-24" });
  });

  it("stores every price as a plain decimal string", () => {
    for (const model of defaultCatalog.models()) {
      const { tiers, ...rates } = model.prices;
      const all = [
        ...Object.values(rates),
        ...tiers.flatMap(({ aboveTokens: _, ...kinds }) => Object.values(kinds)),
      ];
      for (const rate of all)
        if (rate !== null) expect(isDecimalString(rate), `${model.id}: ${rate}`).toBe(true);
    }
  });

  it("keeps every name unique within a provider", () => {
    for (const provider of PROVIDER_IDS) {
      const names = defaultCatalog.models(provider).flatMap((m) => [m.id, ...m.aliases]);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it("is frozen, so no caller can change another request's prices", () => {
    const model = defaultCatalog.model("openai", "gpt-4o");
    expect(Object.isFrozen(model)).toBe(true);
    expect(Object.isFrozen(model?.prices)).toBe(true);
    expect(Object.isFrozen(defaultCatalog.models())).toBe(true);
  });

  it("reports deprecation relative to a date", () => {
    const flash = defaultCatalog.model("google", "gemini-2.0-flash");
    if (!flash) throw new Error("missing");
    expect(isDeprecated(flash, "2026-05-31")).toBe(false);
    expect(isDeprecated(flash, "2026-06-01")).toBe(true);
  });
});

describe("lookups by alias", () => {
  it("resolves dated snapshots and -latest names to the canonical entry", () => {
    const cases: [string, string, string][] = [
      ["anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
      ["openai", "gpt-4o-2024-08-06", "gpt-4o"],
      ["openai", "gpt-5-chat-latest", "gpt-5-chat"],
      ["google", "gemini-2.0-flash-001", "gemini-2.0-flash"],
      ["mistral", "mistral-large-2512", "mistral-large-latest"],
    ];
    for (const [provider, alias, canonical] of cases) {
      expect(defaultCatalog.model(provider, alias)?.id).toBe(canonical);
    }
  });

  it("keeps differently priced snapshots apart", () => {
    expect(defaultCatalog.model("openai", "gpt-4o-2024-05-13")?.id).toBe("gpt-4o-2024-05-13");
    expect(defaultCatalog.model("mistral", "mistral-large-2411")?.id).toBe("mistral-large-2411");
  });

  it("searches across providers by bare id and by provider/id", () => {
    expect(defaultCatalog.modelByBareId("claude-haiku-4-5-20251001")?.id).toBe("claude-haiku-4-5");
    expect(defaultCatalog.modelByBareId("no-such-model")).toBeUndefined();
    expect(defaultCatalog.resolve("gemini/gemini-2.5-pro")?.provider).toBe("google");
    expect(defaultCatalog.resolve("google/gemini-2.5-pro")?.id).toBe("gemini-2.5-pro");
    expect(defaultCatalog.resolve("openai/gpt-4o-mini")?.id).toBe("gpt-4o-mini");
    expect(defaultCatalog.resolve("anthropic/gpt-4o-mini")).toBeUndefined();
    expect(defaultCatalog.resolve("deepseek-chat")?.provider).toBe("deepseek");
    expect(defaultCatalog.resolve("azure/gpt-4o")).toBeUndefined();
  });

  it("throws on a bare id that two providers serve", () => {
    const catalog = createCatalog({
      "gpt-4o-mini": { litellm_provider: "mistral", input_cost_per_token: 1e-7, output_cost_per_token: 2e-7 },
    });
    expect(() => catalog.modelByBareId("gpt-4o-mini")).toThrow(AmbiguousModelError);
    expect(() => catalog.resolve("gpt-4o-mini")).toThrow(/openai\/gpt-4o-mini/);
    expect(catalog.resolve("mistral/gpt-4o-mini")?.prices.input).toBe("0.0000001");
  });

  it("builds the default catalog once", () => {
    expect(defaultCatalog.model("openai", "gpt-4o")).toBe(defaultCatalog.model("openai", "gpt-4o"));
    expect(createCatalog().model("openai", "gpt-4o")).toEqual(defaultCatalog.model("openai", "gpt-4o"));
  });
});
