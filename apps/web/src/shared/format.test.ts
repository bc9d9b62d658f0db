import { describe, expect, it } from "vitest";
import { roundDecimal, usdCents } from "./format";

describe("roundDecimal", () => {
  it("rounds half away from zero on the digits, never through a float", () => {
    expect(roundDecimal("12.3456789", 2)).toBe("12.35");
    expect(roundDecimal("1.005", 2)).toBe("1.01"); // 1.005 as a float rounds to 1.00
    expect(roundDecimal("-1.005", 2)).toBe("-1.01");
    expect(roundDecimal("0.004", 2)).toBe("0.00");
    expect(roundDecimal("-0.004", 2)).toBe("0.00");
    expect(roundDecimal("9.999", 2)).toBe("10.00");
    expect(roundDecimal("3", 2)).toBe("3.00");
    expect(roundDecimal("123456789012345678.125", 2)).toBe("123456789012345678.13");
    expect(roundDecimal("2.5", 0)).toBe("3");
  });

  it("leaves what is not a decimal as it is", () => {
    expect(roundDecimal("n/a", 2)).toBe("n/a");
  });

  it("formats an estimate to the cent", () => {
    expect(usdCents("0.123456")).toBe("$0.12");
  });
});
