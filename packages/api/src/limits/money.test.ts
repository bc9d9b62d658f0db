import { describe, expect, it } from "vitest";
import { MAX_LIMIT_USD, MAX_SAFE_NANO, nanoToUsd, percentOf, usdToNano } from "./money";

describe("nano-USD conversions", () => {
  it("is exact to the nano-dollar and rounds past it up for costs, down for limits", () => {
    expect(usdToNano("0.00000015", "up")).toBe(150n);
    expect(usdToNano("12.5", "down")).toBe(12_500_000_000n);
    expect(usdToNano("0.0000000001", "up")).toBe(1n);
    expect(usdToNano("0.0000000001", "down")).toBe(0n);
    expect(usdToNano("1.0000000019", "up")).toBe(1_000_000_002n);
    expect(usdToNano("1.0000000019", "down")).toBe(1_000_000_001n);
    expect(usdToNano("2.5e-7", "up")).toBe(250n);
    expect(usdToNano("0", "up")).toBe(0n);
  });

  it("prints nano amounts as canonical decimals", () => {
    expect(nanoToUsd(150n)).toBe("0.00000015");
    expect(nanoToUsd(12_500_000_000n)).toBe("12.5");
    expect(nanoToUsd(0n)).toBe("0");
    expect(nanoToUsd(-1n)).toBe("-0.000000001");
    expect(nanoToUsd(usdToNano("987654.123456789", "up"))).toBe("987654.123456789");
  });

  it("keeps the largest limit and its reservations far inside 2^53", () => {
    const limit = usdToNano(String(MAX_LIMIT_USD), "down");
    expect(limit * 8n).toBeLessThan(MAX_SAFE_NANO);
    expect(nanoToUsd(MAX_SAFE_NANO)).toBe("9007199.254740991");
  });

  it("gives percentages with two decimals, computed in integers", () => {
    expect(percentOf(1n, 3n)).toBe(33.33);
    expect(percentOf(5n, 5n)).toBe(100);
    expect(percentOf(1n, 0n)).toBe(0);
  });
});
