import { describe, expect, it } from "vitest";
import { jsonTooDeep, MAX_JSON_DEPTH } from "./json-depth";

const nested = (depth: number) => Buffer.from(`${"[".repeat(depth)}${"]".repeat(depth)}`);

describe("jsonTooDeep", () => {
  it("draws the line at MAX_JSON_DEPTH, for arrays and objects alike", () => {
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    const objects = (depth: number) => Buffer.from(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
    expect(jsonTooDeep(objects(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonTooDeep(objects(10_000))).toBe(true);
  });

  it("counts depth, not brackets: many siblings and brackets inside strings are fine", () => {
    const wide = Buffer.from(JSON.stringify(Array.from({ length: 1000 }, () => ({ a: [1] }))));
    expect(jsonTooDeep(wide)).toBe(false);
    const inStrings = Buffer.from(
      JSON.stringify({ text: "[".repeat(1000), quoted: 'a\\"[[[', more: "{".repeat(500) }),
    );
    expect(jsonTooDeep(inStrings)).toBe(false);
  });

  it("reads escaped quotes and backslashes right", () => {
    // the string ends after the escaped backslash: the brackets after it are structure
    expect(jsonTooDeep(Buffer.from('[["\\\\"]]'), 2)).toBe(false);
    expect(jsonTooDeep(Buffer.from('[[["\\\\"]]]'), 2)).toBe(true);
    // an escaped quote does not end the string: its brackets are text
    expect(jsonTooDeep(Buffer.from('["\\"[[[[", 1]'), 2)).toBe(false);
  });
});
