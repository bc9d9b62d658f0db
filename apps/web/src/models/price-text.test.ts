import { describe, expect, it } from "vitest";
import { isUnpriced, isZero, perMillionExact } from "./price-text";

describe("perMillionExact", () => {
  it("moves the point six places on the digits, never through a float", () => {
    expect(perMillionExact("0.00000015")).toBe("0.15");
    expect(perMillionExact("0.0000006")).toBe("0.6");
    expect(perMillionExact("0.000003")).toBe("3");
    expect(perMillionExact("0.000000075")).toBe("0.075");
    expect(perMillionExact("0.0000000001")).toBe("0.0001");
    expect(perMillionExact("0.00001")).toBe("10");
    expect(perMillionExact("1.5")).toBe("1500000");
    expect(perMillionExact("0")).toBe("0");
  });
});

describe("isUnpriced", () => {
  it("flags a model whose input and output both cost nothing", () => {
    expect(isZero("0.000")).toBe(true);
    expect(isZero("0.001")).toBe(false);
    expect(isUnpriced({ per_token: { input: "0", output: "0" } })).toBe(true);
    expect(isUnpriced({ per_token: { input: "0", output: "0.000001" } })).toBe(false);
  });
});
