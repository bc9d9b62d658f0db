import { describe, expect, it } from "vitest";
import { chatRequest } from "./test-support";
import { countTokens } from "./tokenizer";
import {
  boundTokens,
  estimatePromptTokens,
  estimateTokens,
  estimateUsage,
  PROMPT_TOKENIZE_LIMIT_CHARS,
} from "./tokens";

describe("estimateTokens", () => {
  it("counts with o200k", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("Hello from the fake provider.")).toBe(
      countTokens("Hello from the fake provider."),
    );
  });
});

describe("estimatePromptTokens", () => {
  it("tokenises small prompts and adds OpenAI's chat framing", () => {
    const { messages } = chatRequest({
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello there", name: "ann" },
      ],
    });
    // 3 per message, 1 for a name, 3 to prime the reply.
    const framing = 3 + 3 + 1 + 3;
    expect(estimatePromptTokens(messages)).toBe(
      framing + countTokens("Be brief.") + countTokens("ann") + countTokens("Hello there"),
    );
  });

  it("uses the byte bound without tokenising above the limit", () => {
    const text = "The quick brown fox jumps over the lazy dog. ".repeat(PROMPT_TOKENIZE_LIMIT_CHARS / 40);
    const { messages } = chatRequest({ model: "m", messages: [{ role: "user", content: text }] });
    expect(estimatePromptTokens(messages)).toBe(3 + 3 + boundTokens(text));
    expect(boundTokens(text)).toBe(Math.ceil(text.length / 2));
    expect(boundTokens(text)).toBeGreaterThanOrEqual(countTokens(text));
  });

  it("bounds CJK and code above their token counts too", () => {
    for (const text of [
      "你好，世界。今天天气很好。".repeat(50),
      "for (let i = 0; i < n; i++) { sum += a[i]; }\n".repeat(50),
    ]) {
      expect(boundTokens(text)).toBeGreaterThanOrEqual(countTokens(text));
    }
  });

  it("counts tool definitions, tool calls and images", () => {
    const req = chatRequest({
      model: "m",
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
        },
      ],
      tools: [{ type: "function", function: { name: "f" } }],
    });
    const withoutTools = estimatePromptTokens(req.messages);
    expect(withoutTools).toBeGreaterThan(1_600);
    expect(estimatePromptTokens(req.messages, req.tools)).toBeGreaterThan(withoutTools);
  });
});

describe("estimateUsage", () => {
  const req = chatRequest({ model: "m" });

  it("estimates everything when nothing was reported", () => {
    expect(estimateUsage(req, "Hi there")).toMatchObject({
      completionTokens: countTokens("Hi there"),
      estimated: true,
    });
  });

  it("keeps what the provider reported", () => {
    const reported = {
      promptTokens: 500,
      completionTokens: 1,
      cachedReadTokens: 100,
      cacheWriteTokens: 50,
      reasoningTokens: 0,
      estimated: false,
    };
    expect(estimateUsage(req, "Hello there, friend", reported)).toEqual({
      ...reported,
      completionTokens: countTokens("Hello there, friend"),
      estimated: true,
    });
  });
});
