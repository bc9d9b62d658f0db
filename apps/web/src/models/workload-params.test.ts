import { describe, expect, it } from "vitest";
import { parseWorkload } from "./workload-inputs";
import {
  DEFAULT_WORKLOAD,
  MAX_COMPARE,
  readCalculator,
  readCompare,
  wholeNumber,
  writeCalculator,
  writeCompare,
} from "./workload-params";

const read = (query: string) => new URLSearchParams(query);

describe("the calculator's and comparison's inputs in the URL", () => {
  it("reads back what it writes, each view under its own keys", () => {
    const calc = {
      model: "anthropic/claude-sonnet-4-5",
      workload: { input: 1234567, output: 89012, cached: 1000 },
      requests: 3,
    };
    const compare = {
      models: ["openai/gpt-4o-mini", "mistral/mistral-small-latest"],
      workload: { input: 50000, output: 2000, cached: 0 },
    };
    const both = new URLSearchParams([...writeCalculator(calc), ...writeCompare(compare), ["q", "mini"]]);
    expect(readCalculator(both)).toEqual(calc);
    expect(readCompare(both)).toEqual(compare);
    expect(both.toString()).toBe(
      "price=anthropic%2Fclaude-sonnet-4-5&price_in=1234567&price_out=89012&price_cached=1000&price_requests=3&compare=openai%2Fgpt-4o-mini%2Cmistral%2Fmistral-small-latest&compare_in=50000&compare_out=2000&compare_cached=0&q=mini",
    );
  });

  it("asks nothing until a form was sent", () => {
    expect(readCalculator(read(""))).toEqual({ model: null, workload: DEFAULT_WORKLOAD, requests: 1 });
    expect(writeCalculator(readCalculator(read("price_in=5"))).toString()).toBe("");
    // Models picked but no comparison asked yet.
    expect(readCompare(read("compare=openai/gpt-4o"))).toEqual({ models: ["openai/gpt-4o"], workload: null });
    expect(writeCompare({ models: [], workload: null }).toString()).toBe("");
  });

  it("falls back to the defaults for numbers out of the API's bounds or not whole", () => {
    const calc = readCalculator(
      read("price=openai/gpt-4o&price_in=100000001&price_out=-5&price_cached=1e3&price_requests=0"),
    );
    expect(calc).toEqual({ model: "openai/gpt-4o", workload: DEFAULT_WORKLOAD, requests: 1 });
    expect(readCalculator(read("price=openai/gpt-4o&price_requests=1000000001")).requests).toBe(1);
    expect(readCalculator(read("price=openai/gpt-4o&price_requests=1000000000")).requests).toBe(
      1_000_000_000,
    );
    expect(readCalculator(read("price=openai/gpt-4o&price_in=100000000")).workload.input).toBe(100_000_000);
    // More cached than input tokens: none cached.
    expect(readCompare(read("compare=openai/gpt-4o&compare_in=10&compare_cached=20")).workload).toEqual({
      input: 10,
      output: 500,
      cached: 0,
    });
    for (const text of ["", " ", "0x10", "1.5", "+3", "9999999999999", "NaN", "Infinity"]) {
      expect(wholeNumber(text)).toBeNull();
    }
  });

  it("keeps only model keys, without repeats, at most as many as the API compares", () => {
    expect(readCalculator(read("price=not-a-model")).model).toBeNull();
    expect(readCalculator(read(`price=openai/${"x".repeat(201)}`)).model).toBeNull();
    expect(readCalculator(read("price=OpenAI/gpt-4o")).model).toBeNull();
    const listed = readCompare(read("compare=openai/a,,openai/a,bad,anthropic/b c,mistral/m"));
    expect(listed.models).toEqual(["openai/a", "mistral/m"]);
    const many = Array.from({ length: 30 }, (_, i) => `openai/m${i}`).join(",");
    expect(readCompare(read(`compare=${many}`)).models).toHaveLength(MAX_COMPARE);
  });

  it("says what is wrong with a typed workload before asking", () => {
    expect(parseWorkload({ input: "100", output: "5", cached: "100" })).toEqual({
      input: 100,
      output: 5,
      cached: 100,
    });
    expect(parseWorkload({ input: "100", output: "5", cached: "101" })).toMatch(/cannot be more/);
    expect(parseWorkload({ input: "", output: "5", cached: "0" })).toMatch(/whole token counts/);
  });
});
