import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { attributionFrom, NO_ATTRIBUTION } from "./attribution";

function refusedField(...args: Parameters<typeof attributionFrom>): string | undefined {
  try {
    attributionFrom(...args);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return ((error as ApiError).details as { field: string }[])[0]?.field;
  }
  throw new Error("accepted");
}

describe("attribution of a call", () => {
  it("is empty without headers or metadata tags", () => {
    expect(attributionFrom(undefined, null)).toEqual(NO_ATTRIBUTION);
    expect(attributionFrom({ tags: " ", runId: "" }, { team: "x" })).toEqual(NO_ATTRIBUTION);
  });

  it("merges header and metadata tags, lowercased, first seen first, duplicates removed", () => {
    const got = attributionFrom({ tags: "B, a ,b" }, { tags: ["A", "c", "a"] });
    expect(got.tags).toEqual(["b", "a", "c"]);
  });

  it("counts the limit of 10 after duplicates are removed", () => {
    const ten = Array.from({ length: 10 }, (_, i) => `t${i}`);
    expect(attributionFrom({ tags: ten.join(",") }, { tags: ten }).tags).toEqual(ten);
    expect(refusedField({ tags: ten.join(",") }, { tags: ["t10"] })).toBe("x-llmg-tags");
  });

  it("names the metadata's source in the field", () => {
    expect(refusedField(undefined, { tags: "a" }, "x-llmg-metadata")).toBe("x-llmg-metadata.tags");
    expect(refusedField(undefined, { tags: ["a b"] })).toBe("metadata.tags");
  });

  it("keeps the run id's case and the budget's exact text", () => {
    expect(attributionFrom({ runId: "Run-01J9", runBudgetUsd: "0.0000000001" }, null)).toEqual({
      tags: [],
      runId: "Run-01J9",
      runBudgetUsd: "0.0000000001",
    });
  });

  it("refuses budgets that are not a positive exact amount up to the largest limit", () => {
    for (const budget of ["0", "0.0", "+1", "1.", ".5", "1e2", "NaN", "1000000.0000000001", "1000001"])
      expect(refusedField({ runId: "r", runBudgetUsd: budget }, null)).toBe("x-llmg-run-budget-usd");
    expect(attributionFrom({ runId: "r", runBudgetUsd: "1000000.0000000000" }, null).runBudgetUsd).toBe(
      "1000000.0000000000",
    );
  });
});
