import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDecimals,
  compareDecimals,
  DecimalFormatError,
  decimalFromNumber,
  decimalToNumber,
  formatDecimal,
  isDecimalString,
  maxDecimal,
  multiplyDecimal,
  normalizeDecimal,
  parseDecimal,
  roundDecimal,
  subtractDecimals,
} from "./decimal";

describe("decimalFromNumber", () => {
  it.each([
    [2.5e-7, "0.00000025"],
    [1e-7, "0.0000001"],
    [3.625e-9, "0.000000003625"],
    [1.875e-8, "0.00000001875"],
    [0.00000375, "0.00000375"],
    [0.000033333333333333335, "0.000033333333333333335"],
    [0.1, "0.1"],
    [0, "0"],
    [-0, "0"],
    [15, "15"],
    [1e21, "1000000000000000000000"],
    [1.5e300, `15${"0".repeat(299)}`],
    [-4.2e-7, "-0.00000042"],
  ])("%s → %s", (input, expected) => {
    expect(decimalFromNumber(input)).toBe(expected);
  });

  it("rejects NaN and infinities", () => {
    expect(() => decimalFromNumber(Number.NaN)).toThrow(DecimalFormatError);
    expect(() => decimalFromNumber(Number.POSITIVE_INFINITY)).toThrow(DecimalFormatError);
  });

  it("reads back as the same double for any finite number", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = decimalFromNumber(value);
        expect(text).not.toMatch(/e/i);
        expect(Number(text)).toBe(value === 0 ? 0 : value);
      }),
    );
  });
});

describe("parse and format", () => {
  it.each([
    ["1.50", "1.5"],
    ["000.000", "0"],
    ["-0.0", "0"],
    ["0.000001", "0.000001"],
    ["12", "12"],
    ["1.2e3", "1200"],
    ["1.2E-3", "0.0012"],
    ["-7.25", "-7.25"],
  ])("normalises %s to %s", (input, expected) => {
    expect(normalizeDecimal(input)).toBe(expected);
  });

  it.each(["", ".5", "5.", "1,5", "+1", "0x10", "1e", "NaN", " 1", "1e99999"])("rejects %j", (input) => {
    expect(() => parseDecimal(input)).toThrow(DecimalFormatError);
  });

  it("tells plain decimal strings from others", () => {
    expect(isDecimalString("0.00000025")).toBe(true);
    expect(isDecimalString("2.5e-7")).toBe(false);
    expect(isDecimalString("abc")).toBe(false);
  });

  it("round-trips every canonical decimal string", () => {
    const canonical = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 30 }))
      .map(([negative, units, scale]) => formatDecimal({ units: negative ? -units : units, scale }));
    fc.assert(
      fc.property(canonical, (text) => {
        expect(formatDecimal(parseDecimal(text))).toBe(text);
        expect(text).toMatch(/^-?(0|[1-9]\d*)(\.\d*[1-9])?$/);
      }),
    );
  });
});

describe("arithmetic", () => {
  it("adds without binary float error", () => {
    expect(addDecimals("0.1", "0.2")).toBe("0.3");
    expect(addDecimals("0.00000025", "0.0000001", "3")).toBe("3.00000035");
    expect(addDecimals()).toBe("0");
    expect(subtractDecimals("0.3", "0.1")).toBe("0.2");
    expect(subtractDecimals("0.1", "0.3")).toBe("-0.2");
  });

  it("multiplies by integer token counts", () => {
    expect(multiplyDecimal("0.00000015", 1_000_000)).toBe("0.15");
    expect(multiplyDecimal("0.000000003625", 3)).toBe("0.000000010875");
    expect(multiplyDecimal("0.5", 0)).toBe("0");
    expect(multiplyDecimal("0.0000025", 9_007_199_254_740_991n)).toBe("22517998136.8524775");
    expect(() => multiplyDecimal("1", 1.5)).toThrow(RangeError);
  });

  it("compares across scales", () => {
    expect(compareDecimals("0.10", "0.1")).toBe(0);
    expect(compareDecimals("0.0000025", "0.000002")).toBe(1);
    expect(compareDecimals("-1", "0.5")).toBe(-1);
    expect(maxDecimal("0.000015", "0.0000225")).toBe("0.0000225");
  });

  it("agrees with BigInt arithmetic on random operands", () => {
    const operand = fc.tuple(
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
      fc.integer({ min: 0, max: 18 }),
    );
    fc.assert(
      fc.property(operand, operand, ([ua, sa], [ub, sb]) => {
        const a = formatDecimal({ units: ua, scale: sa });
        const b = formatDecimal({ units: ub, scale: sb });
        const scale = 36;
        const asUnits = (units: bigint, s: number) => units * 10n ** BigInt(scale - s);
        expect(parseDecimal(addDecimals(a, b))).toSatisfy(
          (sum: { units: bigint; scale: number }) =>
            asUnits(sum.units, sum.scale) === asUnits(ua, sa) + asUnits(ub, sb),
        );
        expect(compareDecimals(addDecimals(a, b), a)).toBe(ub > 0n ? 1 : ub < 0n ? -1 : 0);
      }),
    );
  });
});

describe("display helpers", () => {
  it.each([
    ["0.125", 2, "0.13"],
    ["0.124999", 2, "0.12"],
    ["-0.125", 2, "-0.13"],
    ["0.0000375", 4, "0"],
    ["0.00005", 4, "0.0001"],
    ["9.995", 2, "10"],
    ["3", 2, "3"],
    ["1.5", 0, "2"],
  ])("rounds %s to %i places half-up: %s", (input, places, expected) => {
    expect(roundDecimal(input, places)).toBe(expected);
  });

  it("rejects a negative number of places", () => {
    expect(() => roundDecimal("1", -1)).toThrow(RangeError);
  });

  it("converts to a number for display", () => {
    expect(decimalToNumber("0.00000025")).toBe(2.5e-7);
    expect(decimalToNumber("0")).toBe(0);
  });
});
