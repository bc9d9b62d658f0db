import { describe, expect, it } from "vitest";
import { createInput, draftOfKey, EMPTY_DRAFT, instantOf, localInputOf, updatePatch } from "./key-draft";
import type { ApiKey } from "./key-types";

const KEY: ApiKey = {
  id: "key_1",
  name: "ci",
  prefix: "llmg_Ab3dE9",
  team_id: "team_a",
  scopes: ["chat", "read"],
  allowed_models: ["openai/*"],
  expires_at: "2030-05-01T10:30:00.000Z",
  budget_usd: "2.5",
  budget_period: "day",
  rpm: 60,
  tpm: null,
  max_parallel: 4,
  created_at: "2026-01-01T00:00:00.000Z",
  last_used_at: null,
};

describe("a key's form fields", () => {
  it("sends nothing for an untouched key, and null for each field emptied", () => {
    const draft = draftOfKey(KEY);
    expect(updatePatch(KEY, draft)).toBeNull();
    const cleared = {
      ...draft,
      name: " ",
      teamId: "",
      expires: "",
      models: "",
      budget: "",
      rpm: "",
      parallel: "",
    };
    // A cleared budget takes its period with it: no budget_period is sent.
    expect(updatePatch(KEY, cleared)).toEqual({
      name: null,
      team_id: null,
      expires_at: null,
      allowed_models: null,
      budget_usd: null,
      rpm: null,
      max_parallel: null,
    });
  });

  it("sends only the changed fields, the budget as the decimal typed", () => {
    const draft = {
      ...draftOfKey(KEY),
      name: "deploy ",
      budget: "0.1000000001",
      tpm: "9000",
      scopes: ["chat" as const],
    };
    expect(updatePatch(KEY, draft)).toEqual({
      name: "deploy",
      budget_usd: "0.1000000001",
      tpm: 9000,
      scopes: ["chat"],
    });
    // A period alone changes while the key keeps its budget; a new budget on a key without one sends its period.
    expect(updatePatch(KEY, { ...draftOfKey(KEY), period: "month" })).toEqual({ budget_period: "month" });
    const bare = { ...KEY, budget_usd: null, budget_period: null };
    expect(updatePatch(bare, { ...draftOfKey(bare), budget: "5" })).toEqual({
      budget_usd: "5",
      budget_period: "month",
    });
  });

  it("shows the expiry in local time and sends back the same instant", () => {
    const local = localInputOf(KEY.expires_at as string);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(instantOf(local)).toBe(KEY.expires_at);
    expect(localInputOf("not a date")).toBe("");
    // What is not a date goes as typed, for the API to name the field.
    expect(instantOf("tomorrow")).toBe("tomorrow");
  });

  it("creates with only what was filled in", () => {
    expect(createInput(EMPTY_DRAFT)).toEqual({ scopes: ["chat", "read", "manage"] });
    expect(
      createInput({
        ...EMPTY_DRAFT,
        name: " a ",
        teamId: "team_a",
        models: "openai/*,\nanthropic/x",
        budget: "3",
        rpm: "10",
      }),
    ).toEqual({
      name: "a",
      team_id: "team_a",
      scopes: ["chat", "read", "manage"],
      allowed_models: ["openai/*", "anthropic/x"],
      budget_usd: "3",
      budget_period: "month",
      rpm: 10,
    });
  });
});
