import type { ParamRules } from "@llmg/core";
import { describe, expect, it } from "vitest";
import { parameterRulesDto, parameterRulesSchema } from "./param-rules";

describe("parameter rules in the API's shape", () => {
  it("renames every kind of rule to snake_case and keeps the values", () => {
    const rules: ParamRules = {
      temperature: { only: 1, max: 1 },
      topP: { min: 0.95, only: 1 },
      temperatureOrTopP: true,
      stop: { nonBlank: true, max: 4 },
      unsupported: ["seed", "presence_penalty"],
      maxTokensField: "max_completion_tokens",
    };
    const dto = parameterRulesDto(rules);
    expect(dto).toEqual({
      temperature: { only: 1, max: 1 },
      top_p: { min: 0.95, only: 1 },
      temperature_or_top_p: true,
      stop: { non_blank: true, max: 4 },
      unsupported: ["seed", "presence_penalty"],
      max_tokens_field: "max_completion_tokens",
    });
    // The documented schema takes it as is (the procedure's output is checked against it).
    expect(parameterRulesSchema.parse(dto)).toEqual(dto);
  });

  it("passes a kind of rule added later through, in snake_case", () => {
    const later = { reasoningEffort: { allowed: ["low", "high"] } } as unknown as ParamRules;
    expect(parameterRulesSchema.parse(parameterRulesDto(later))).toEqual({
      reasoning_effort: { allowed: ["low", "high"] },
    });
  });

  it("is empty for a model without rules", () => {
    expect(parameterRulesDto({})).toEqual({});
  });
});
