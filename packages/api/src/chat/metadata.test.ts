import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { metadataFrom, metadataSchema } from "./metadata";

function refusal(body: unknown, header?: string) {
  try {
    metadataFrom(body, header);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return { message: (error as ApiError).message, details: (error as ApiError).details };
  }
  throw new Error("accepted");
}

describe("metadata jsonb can store", () => {
  it("accepts ordinary JSON, nested a little, with any valid Unicode", () => {
    const value = { team: "search", n: 1.5, ok: true, none: null, tags: ["a", "😀"], deep: { a: { b: 1 } } };
    expect(metadataFrom(value, undefined)).toEqual(value);
  });

  it("refuses NUL and lone surrogates in values and keys at any depth, naming the field", () => {
    expect(refusal({ a: { b: ["x", "y\u0000"] } }).details).toEqual([
      { field: "metadata.a.b.1", message: "strings must not contain NUL (\\u0000)" },
    ]);
    expect(refusal({ a: { "k\u0000": 1 } }).details).toEqual([
      { field: "metadata.a.k\u0000", message: "keys must not contain NUL (\\u0000)" },
    ]);
    expect(refusal(undefined, '{"t":"\\ud800"}').details).toEqual([
      { field: "x-llmg-metadata.t", message: "strings must not contain lone UTF-16 surrogates" },
    ]);
  });

  it("refuses values that are not JSON", () => {
    for (const [value, message] of [
      [{ n: Number.POSITIVE_INFINITY }, "numbers must be finite"],
      [{ n: Number.NaN }, "numbers must be finite"],
      [{ f: () => 1 }, "function is not a JSON value"],
      [{ u: undefined }, "undefined is not a JSON value"],
      [{ d: new Date(0) }, "not a plain JSON object"],
      [{ b: 1n }, "bigint is not a JSON value"],
    ] as const) {
      const parsed = metadataSchema.safeParse(value);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.message)).toContain(message);
    }
  });

  it("refuses nesting deeper than 8 levels", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 10; i++) deep = { d: deep };
    expect(refusal({ top: deep }).message).toContain("nested deeper than 8 levels");
  });
});
