import { describe, expect, it } from "vitest";
import { chatRequest } from "./test-support";
import { countTokens } from "./tokenizer";
import {
  boundTokens,
  estimatePromptTokens,
  estimateRequestPromptTokens,
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

describe("estimateRequestPromptTokens: everything the provider bills as prompt", () => {
  const target = { provider: "openai", model: "gpt-4o" };
  const messages = [{ role: "user" as const, content: "What's the weather in Paris?" }];

  it("is the messages' estimate for a plain-text request", () => {
    const req = chatRequest({ model: "gpt-4o", messages });
    expect(estimateRequestPromptTokens(req, target)).toBe(estimatePromptTokens(req.messages));
  });

  it("adds tool definitions", () => {
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "get_weather",
          description: "Current weather for a city, with temperature and conditions",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    ];
    const req = chatRequest({ model: "gpt-4o", messages, tools });
    const plain = estimatePromptTokens(req.messages);
    expect(estimateRequestPromptTokens(req, target)).toBe(plain + countTokens(JSON.stringify(req.tools)));
  });

  it("adds a response_format JSON schema", () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, temperature_celsius: { type: "number" } },
      required: ["city", "temperature_celsius"],
    };
    const req = chatRequest({
      model: "gpt-4o",
      messages,
      response_format: { type: "json_schema", json_schema: { name: "weather", schema } },
    });
    const plain = estimatePromptTokens(req.messages);
    const estimate = estimateRequestPromptTokens(req, target);
    expect(estimate).toBe(plain + countTokens(JSON.stringify(req.response_format)));
    expect(estimate - plain).toBeGreaterThan(countTokens(JSON.stringify(schema)) - 1);
  });

  it("prices images by the target provider's rule, URL images at its upper bound", () => {
    const req = chatRequest({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Describe these." },
            { type: "image_url", image_url: { url: "https://example.com/a.png" } },
            { type: "image_url", image_url: { url: "https://example.com/b.png", detail: "low" } },
          ],
        },
      ],
    });
    const text = 3 + 3 + countTokens("Describe these.");
    expect(estimateRequestPromptTokens(req, { provider: "openai", model: "gpt-4o-mini" })).toBe(
      text + (2833 + 5667 * 8) + 2833,
    );
    expect(estimateRequestPromptTokens(req, { provider: "anthropic", model: "claude-sonnet-4-5" })).toBe(
      text + 2 * 4784,
    );
    expect(estimateRequestPromptTokens(req, { provider: "google", model: "gemini-2.5-flash" })).toBe(
      text + 2 * 16 * 258,
    );
  });
});
