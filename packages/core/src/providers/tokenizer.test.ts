import { createRequire } from "node:module";
import fc from "fast-check";
import type { Tiktoken } from "js-tiktoken/lite";
import { beforeAll, describe, expect, it } from "vitest";
import { countTokens, isTokenizerLoaded } from "./tokenizer";

let reference: Tiktoken;

describe("countTokens", () => {
  it("loads the rank table lazily, on first use", () => {
    expect(isTokenizerLoaded()).toBe(false);
    expect(countTokens("hello world")).toBe(2);
    expect(isTokenizerLoaded()).toBe(true);
  });

  beforeAll(() => {
    const require = createRequire(import.meta.url);
    const { Tiktoken: Encoder } = require("js-tiktoken/lite") as typeof import("js-tiktoken/lite");
    reference = new Encoder(require("js-tiktoken/ranks/o200k_base"));
  });

  const samples = [
    "",
    "The quick brown fox jumps over the lazy dog.",
    "Héllo wörld! 你好，世界。 Привет 🎉🎉👩‍👩‍👧 <|endoftext|>",
    "function add(a, b) {\n\treturn a + b; // 42\n}\n\n    indented   spaces   \r\n",
    "x".repeat(200),
    "https://example.com/some/path?query=1&other=two#fragment",
  ];

  it.each(samples)("matches js-tiktoken on %j", (text) => {
    expect(countTokens(text)).toBe(reference.encode(text, [], []).length);
  });

  it("matches js-tiktoken on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (text) => {
        expect(countTokens(text)).toBe(reference.encode(text, [], []).length);
      }),
      { numRuns: 300 },
    );
  });
});
