import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateCatalog, stableStringify } from "./generate";

const committedPath = fileURLToPath(new URL("../data/models.generated.json", import.meta.url));
// The repository root is five levels up; the reference snapshot lives beside the checkout.
const referencePath = fileURLToPath(
  new URL("../../../../../../shared/reference/litellm-model-prices.json", import.meta.url),
);

const SOURCE = { name: "test.json", sha256: "0", date: "2026-01-01" };

function chat(provider: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    litellm_provider: provider,
    mode: "chat",
    input_cost_per_token: 1e-6,
    output_cost_per_token: 2e-6,
    max_input_tokens: 1000,
    max_output_tokens: 100,
    ...extra,
  };
}

describe("generateCatalog", () => {
  it.skipIf(!existsSync(referencePath))(
    "reproduces the committed file byte for byte from the reference snapshot",
    () => {
      const bytes = readFileSync(referencePath);
      const committed = readFileSync(committedPath, "utf8");
      const source = JSON.parse(committed).source as { name: string; date: string; sha256: string };
      expect(source.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(stableStringify(generateCatalog(JSON.parse(bytes.toString("utf8")), source))).toBe(committed);
    },
  );

  it("keeps our providers' chat models and says why it skips the rest", () => {
    const data = {
      sample_spec: { litellm_provider: "one of ...", mode: "one of ..." },
      "gpt-x": chat("openai"),
      "azure/gpt-x": chat("azure"),
      "text-embedding-x": { ...chat("openai"), mode: "embedding" },
      "ft:gpt-x": chat("openai"),
      "gemini/gemini-x": chat("gemini"),
      "gemini-x": chat("gemini"),
      "gemini/free-x": chat("gemini", { input_cost_per_token: 0, output_cost_per_token: 0 }),
      "gemini/tts-x": chat("gemini", { supported_output_modalities: ["audio"] }),
      "gemini/live-x": chat("gemini", { supported_endpoints: ["/v1/realtime"] }),
      "mistral/old-x": chat("mistral", { max_input_tokens: undefined }),
      "openai/container": {
        litellm_provider: "openai",
        mode: "chat",
        code_interpreter_cost_per_session: 0.03,
      },
      "deepseek/bad-x": chat("deepseek", { input_cost_per_token: "free" }),
    };
    const catalog = generateCatalog(data, SOURCE);
    expect(catalog.models.map((m) => `${m.provider}/${m.id}`)).toEqual(["google/gemini-x", "openai/gpt-x"]);
    expect(catalog.skipped.map((s) => [s.key, s.reason])).toEqual([
      ["deepseek/bad-x", "invalid"],
      ["ft:gpt-x", "fine_tuned"],
      ["gemini-x", "unprefixed_duplicate"],
      ["gemini/free-x", "zero_price"],
      ["gemini/live-x", "not_chat_completions"],
      ["gemini/tts-x", "no_text_output"],
      ["mistral/old-x", "no_context_window"],
      ["openai/container", "no_token_price"],
    ]);
    expect(catalog.skipped[0]?.detail).toMatch(/input_cost_per_token/);
  });

  it("converts every field without float arithmetic", () => {
    const data = {
      "claude-x": chat("anthropic", {
        input_cost_per_token: 3e-6,
        output_cost_per_token: 1.5e-5,
        cache_read_input_token_cost: 3e-7,
        cache_creation_input_token_cost: 3.75e-6,
        cache_creation_input_token_cost_above_1hr: 6e-6,
        input_cost_per_token_above_200k_tokens: 6e-6,
        cache_read_input_token_cost_above_200k_tokens: 6e-7,
        supports_vision: true,
        supports_function_calling: true,
        supports_response_schema: true,
        supports_system_messages: true,
        deprecation_date: "2027-01-01",
        source: "https://example.com/pricing",
      }),
    };
    const [model] = generateCatalog(data, SOURCE).models;
    expect(model).toEqual({
      provider: "anthropic",
      id: "claude-x",
      aliases: [],
      displayName: "Claude X",
      contextWindow: 1000,
      maxOutputTokens: 100,
      prices: {
        input: "0.000003",
        output: "0.000015",
        cacheRead: "0.0000003",
        cacheWrite: "0.00000375",
        reasoning: null,
        tiers: [{ aboveTokens: 200000, input: "0.000006", cacheRead: "0.0000006" }],
      },
      capabilities: ["json_mode", "tools", "vision"],
      deprecationDate: "2027-01-01",
      sourceUrl: "https://example.com/pricing",
    });
  });

  it("is deterministic whatever the key order of the input", () => {
    const entries = Object.entries({
      "mistral/b-latest": chat("mistral"),
      "mistral/b-2501": chat("mistral"),
      "gpt-a": chat("openai"),
    });
    const forward = stableStringify(generateCatalog(Object.fromEntries(entries), SOURCE));
    const backward = stableStringify(generateCatalog(Object.fromEntries(entries.reverse()), SOURCE));
    expect(forward).toBe(backward);
    expect(forward.endsWith("}\n")).toBe(true);
  });

  it("rejects input that is not a JSON object", () => {
    expect(() => generateCatalog([], SOURCE)).toThrow(TypeError);
  });
});
