import { describe, expect, it } from "vitest";
import type { ModelInfo, ModelPrices } from "../types";
import { foldAliases, splitVersionSuffix } from "./aliases";

describe("splitVersionSuffix", () => {
  it.each([
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "dated"],
    ["gpt-4o-2024-08-06", "gpt-4o", "dated"],
    ["gpt-3.5-turbo-0125", "gpt-3.5-turbo", "dated"],
    ["mistral-large-2512", "mistral-large", "dated"],
    ["gemini-2.0-flash-001", "gemini-2.0-flash", "dated"],
    ["gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash-preview", "dated"],
    ["mistral-large-latest", "mistral-large", "latest"],
    ["claude-sonnet-4-5", "claude-sonnet-4-5", "plain"],
    ["gpt-4-1106-preview", "gpt-4-1106-preview", "plain"],
    ["deepseek-v3.2", "deepseek-v3.2", "plain"],
    ["o3", "o3", "plain"],
  ])("%s → %s (%s)", (id, base, kind) => {
    expect(splitVersionSuffix(id)).toEqual({ base, kind });
  });
});

const PRICES: ModelPrices = {
  input: "0.000001",
  output: "0.000002",
  cacheRead: null,
  cacheWrite: null,
  reasoning: null,
  tiers: [],
};

function model(id: string, changes: Partial<ModelInfo> = {}): ModelInfo {
  return {
    provider: "openai",
    id,
    aliases: [],
    displayName: id,
    contextWindow: 1000,
    maxOutputTokens: 100,
    prices: PRICES,
    capabilities: [],
    deprecationDate: null,
    sourceUrl: null,
    priceDate: "2026-01-01",
    origin: "builtin",
    ...changes,
  };
}

function summary(models: readonly ModelInfo[]): Record<string, readonly string[]> {
  return Object.fromEntries(models.map((m) => [m.id, m.aliases]));
}

describe("foldAliases", () => {
  it("folds identical dated snapshots into the undated name", () => {
    expect(summary(foldAliases([model("x-2025-01-01"), model("x"), model("x-2024-01-01")]))).toEqual({
      x: ["x-2024-01-01", "x-2025-01-01"],
    });
  });

  it("prefers the plain name over -latest, and -latest over a snapshot", () => {
    expect(summary(foldAliases([model("x-latest"), model("x")]))).toEqual({ x: ["x-latest"] });
    expect(summary(foldAliases([model("y-latest"), model("y-2501")]))).toEqual({ "y-latest": ["y-2501"] });
  });

  it("keeps entries apart when prices, limits or deprecation differ", () => {
    const dearer = { ...PRICES, output: "0.000003" };
    expect(
      summary(
        foldAliases([
          model("a"),
          model("a-2024-01-01", { prices: dearer }),
          model("b"),
          model("b-2024-01-01", { contextWindow: 2000 }),
          model("c"),
          model("c-2024-01-01", { deprecationDate: "2026-01-01" }),
        ]),
      ),
    ).toEqual({ a: [], "a-2024-01-01": [], b: [], "b-2024-01-01": [], c: [], "c-2024-01-01": [] });
  });

  it("sends each snapshot to the canonical name it matches", () => {
    const old = { ...PRICES, input: "0.000005" };
    expect(
      summary(
        foldAliases([
          model("m"),
          model("m-2312"),
          model("m-latest", { prices: old }),
          model("m-2604", { prices: old }),
        ]),
      ),
    ).toEqual({ m: ["m-2312"], "m-latest": ["m-2604"] });
  });

  it("never makes one dated snapshot the alias of another", () => {
    expect(summary(foldAliases([model("z-2505"), model("z-2507")]))).toEqual({ "z-2505": [], "z-2507": [] });
  });

  it("does not fold across providers", () => {
    const folded = foldAliases([model("x"), model("x-2024-01-01", { provider: "mistral" })]);
    expect(folded.map((m) => [m.provider, m.id, m.aliases])).toEqual([
      ["mistral", "x-2024-01-01", []],
      ["openai", "x", []],
    ]);
  });
});
