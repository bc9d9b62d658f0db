import { describe, expect, it } from "vitest";
import { displayNameFor } from "./display-name";
import { LiteLlmEntryError, parseLiteLlmEntry } from "./litellm-entry";

describe("parseLiteLlmEntry", () => {
  it("reads every tier threshold and ignores non-token and 1-hour-cache variants", () => {
    const entry = parseLiteLlmEntry("m", {
      input_cost_per_token_above_128k_tokens: 2e-7,
      output_cost_per_token_above_128k_tokens: "0.0000008",
      input_cost_per_token_above_272k_tokens: 4e-7,
      cache_creation_input_token_cost_above_1hr_above_200k_tokens: 1,
      input_cost_per_character_above_128k_tokens: 1,
      input_cost_per_token_above_200k_tokens_priority: 1,
    });
    expect(Object.fromEntries(entry.tiers)).toEqual({
      128000: { input: "0.0000002", output: "0.0000008" },
      272000: { input: "0.0000004" },
    });
  });

  it("takes DeepSeek's cache-hit spelling when the cache-read field is absent", () => {
    expect(parseLiteLlmEntry("m", { input_cost_per_token_cache_hit: 2.8e-8 }).prices.cacheRead).toBe(
      "0.000000028",
    );
    expect(
      parseLiteLlmEntry("m", { cache_read_input_token_cost: null, input_cost_per_token_cache_hit: 1e-8 })
        .prices.cacheRead,
    ).toBeNull();
  });

  it("falls back to the legacy max_tokens for the output cap", () => {
    expect(parseLiteLlmEntry("m", { max_tokens: 4096 }).maxOutputTokens).toBe(4096);
    expect(parseLiteLlmEntry("m", { max_tokens: 4096, max_output_tokens: 8192 }).maxOutputTokens).toBe(8192);
  });

  it("maps supports_* flags, keeping false as an explicit no", () => {
    const entry = parseLiteLlmEntry("m", {
      supports_vision: false,
      supports_function_calling: true,
      supports_speed: true,
    });
    expect(Object.fromEntries(entry.capabilities)).toEqual({ vision: false, tools: true });
  });

  it("names the field of a bad value", () => {
    expect(() => parseLiteLlmEntry("m", { input_cost_per_token: "1e9999" })).toThrow(LiteLlmEntryError);
    expect(() => parseLiteLlmEntry("m", { output_cost_per_token_above_200k_tokens: -1 })).toThrow(
      /field "output_cost_per_token_above_200k_tokens"/,
    );
  });
});

describe("displayNameFor", () => {
  it.each([
    ["gpt-4o-mini", "GPT-4o Mini"],
    ["gpt-4o-2024-08-06", "GPT-4o 2024-08-06"],
    ["chatgpt-4o-latest", "ChatGPT-4o Latest"],
    ["o3-mini", "o3 Mini"],
    ["claude-sonnet-4-5", "Claude Sonnet 4.5"],
    ["claude-opus-4-1-20250805", "Claude Opus 4.1 20250805"],
    ["gemini-2.0-flash", "Gemini 2.0 Flash"],
    ["gemini-2.5-flash-preview-09-2025", "Gemini 2.5 Flash Preview 09-2025"],
    ["deepseek-r1", "DeepSeek R1"],
    ["mistral-large-latest", "Mistral Large Latest"],
    ["open-mixtral-8x22b", "Open Mixtral 8x22B"],
    ["ministral-3-14b-2512", "Ministral 3 14B 2512"],
  ])("%s → %s", (id, name) => {
    expect(displayNameFor(id)).toBe(name);
  });
});
