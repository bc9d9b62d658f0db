import {
  FAKE_THOUGHT_SUMMARY,
  type FakeProvider,
  geminiQuotaError,
  startFakeProvider,
} from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../errors";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import type { ChatMessage } from "../schema";
import { chatRequest, collect, collectUntilError, rejectionOf, testContext } from "../test-support";
import { DUMMY_THOUGHT_SIGNATURE } from "./chat";

/** The adapter against the strict Gemini fake: tools, thought signatures, thinking, finish reasons, errors. */

const adapter = getAdapter("google");
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("google");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

const body = (i = -1) => fake.requests.at(i)?.body as Record<string, any>;
const tools = [
  {
    type: "function" as const,
    function: {
      name: "weather",
      description: "Weather of a city",
      // An OpenAI strict-mode tool: everything Gemini's `parameters` Schema refuses.
      strict: true,
      parameters: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: {
          city: { $ref: "#/$defs/city" },
          unit: { type: ["string", "null"], enum: ["C", "F", null] },
        },
        required: ["city", "unit"],
        additionalProperties: false,
        $defs: { city: { type: "string" } },
      },
    },
  },
];
const ask: ChatMessage = { role: "user", content: 'TOOLCALL weather {"city":"Oslo","unit":null}' };

describe("tools", () => {
  it("sends OpenAI strict-mode JSON Schema as parametersJsonSchema, which Gemini accepts", async () => {
    const result = await adapter.chat(
      chatRequest({ model: "gemini-2.5-flash", messages: [ask], tools }),
      testContext(fake.url),
    );
    expect(body().tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "weather",
            description: "Weather of a city",
            parametersJsonSchema: tools[0]!.function.parameters,
          },
        ],
      },
    ]);
    expect(result.toolCalls?.[0]?.function).toEqual({
      name: "weather",
      arguments: '{"city":"Oslo","unit":null}',
    });
    // Gemini 2.5 signs nothing here.
    expect(result.toolCalls?.[0]?.extra_content).toBeUndefined();
  });
});

describe("Gemini 3 thought signatures", () => {
  const model = "gemini-3-pro-preview";

  it("returns the signature on the call and sends it back on the next step (non-streamed)", async () => {
    const first = await adapter.chat(chatRequest({ model, messages: [ask], tools }), testContext(fake.url));
    const call = first.toolCalls?.[0];
    const signature = call?.extra_content?.google?.thought_signature;
    expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const second = await adapter.chat(
      chatRequest({
        model,
        tools,
        messages: [
          ask,
          { role: "assistant", content: null, tool_calls: [call!] },
          { role: "tool", tool_call_id: call!.id, content: '{"temp":9}' },
        ],
      }),
      testContext(fake.url),
    );
    expect(body().contents[1]).toEqual({
      role: "model",
      parts: [
        {
          functionCall: { name: "weather", args: { city: "Oslo", unit: null } },
          thoughtSignature: signature,
        },
      ],
    });
    expect(second.content).toBe('Tool result: {"temp":9}');
  });

  it("streams the signature with the call delta and takes it back", async () => {
    const { deltas, done } = await collect(
      adapter.chatStream(chatRequest({ model, messages: [ask], tools }), testContext(fake.url)),
    );
    const calls = deltas.flatMap((delta) => delta.toolCalls ?? []);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      index: 0,
      function: { name: "weather" },
      extra_content: { google: { thought_signature: expect.any(String) } },
    });
    expect(done.finishReason).toBe("tool_calls");
    const call = calls[0]!;
    const follow = await collect(
      adapter.chatStream(
        chatRequest({
          model,
          tools,
          messages: [
            ask,
            {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: call.id!,
                  type: "function",
                  function: { name: call.function!.name!, arguments: call.function!.arguments! },
                  extra_content: call.extra_content,
                },
              ],
            },
            { role: "tool", tool_call_id: call.id!, content: "sunny" },
          ],
        }),
        testContext(fake.url),
      ),
    );
    expect(follow.text).toBe("Tool result: sunny");
    expect(body().contents[1].parts[0].thoughtSignature).toBe(call.extra_content?.google?.thought_signature);
  });

  it("gives a call without a signature (another provider's, or dropped) the documented dummy, first call only", async () => {
    const messages: ChatMessage[] = [
      ask,
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
          { id: "toolu_2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "cold" },
      { role: "tool", tool_call_id: "toolu_2", content: "warm" },
    ];
    const result = await adapter.chat(chatRequest({ model, tools, messages }), testContext(fake.url));
    expect(result.content).toBe("Tool result: cold; warm");
    expect(body().contents[1].parts).toEqual([
      {
        functionCall: { name: "weather", args: { city: "Oslo" } },
        thoughtSignature: DUMMY_THOUGHT_SIGNATURE,
      },
      { functionCall: { name: "weather", args: { city: "Rome" } } },
    ]);
    // Gemini 2.5 gets no dummy: it validates nothing.
    await adapter.chat(chatRequest({ model: "gemini-2.5-flash", tools, messages }), testContext(fake.url));
    expect(body().contents[1].parts[0].thoughtSignature).toBeUndefined();
  });

  it("is refused by the fake when the adapter's signature were missing (the rule the dummy answers)", async () => {
    // Sent raw, without the adapter: proves the fake enforces what the dummy is there for.
    const res = await fetch(`${fake.url}/v1beta/models/${model}:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "test-key" },
      body: JSON.stringify({
        contents: [
          { role: "user", parts: [{ text: "hi" }] },
          { role: "model", parts: [{ functionCall: { name: "weather", args: {} } }] },
          { role: "user", parts: [{ functionResponse: { name: "weather", response: { ok: true } } }] },
        ],
      }),
    });
    expect(res.status).toBe(400);
  });
});

describe("reasoning_effort", () => {
  const cases = [
    ["gemini-3-pro-preview", "low", { thinkingLevel: "low", includeThoughts: true }],
    ["gemini-3-pro-preview", "medium", { thinkingLevel: "high", includeThoughts: true }],
    ["gemini-3-pro-preview", "none", { thinkingLevel: "low", includeThoughts: true }],
    ["gemini-3.1-pro-preview", "medium", { thinkingLevel: "medium", includeThoughts: true }],
    ["gemini-3-flash-preview", "none", { thinkingLevel: "minimal", includeThoughts: true }],
    ["gemini-3-flash-preview", "xhigh", { thinkingLevel: "high", includeThoughts: true }],
    ["gemini-2.5-flash", "none", { thinkingBudget: 0 }],
    ["gemini-2.5-flash", "medium", { thinkingBudget: 8192, includeThoughts: true }],
    ["gemini-2.5-pro", "none", { thinkingBudget: 128, includeThoughts: true }],
    ["gemini-2.5-pro", "xhigh", { thinkingBudget: 32_768, includeThoughts: true }],
    ["gemini-2.5-flash-lite", "minimal", { thinkingBudget: 512, includeThoughts: true }],
  ] as const;

  it.each(cases)("%s with %s sends %j, which the model accepts", async (model, effort, config) => {
    await adapter.chat(chatRequest({ model, reasoning_effort: effort }), testContext(fake.url));
    expect(body().generationConfig.thinkingConfig).toEqual(config);
  });

  it("reports an effort moved to the model's nearest one in the adjustments", () => {
    const catalog = { provider: "google" as const, id: "gemini-3-pro-preview", aliases: [] };
    const adjusted = adapter.adjust(chatRequest({ model: catalog.id, reasoning_effort: "medium" }), catalog);
    expect(adjusted.request.reasoning_effort).toBe("high");
    expect(adjusted.adjusted).toEqual([
      expect.objectContaining({ param: "reasoning_effort", action: "clamped", value: "high" }),
    ]);
    const fits = adapter.adjust(chatRequest({ model: catalog.id, reasoning_effort: "low" }), catalog);
    expect(fits.adjusted).toEqual([]);
  });

  it("drops and names the fields Gemini cannot map, keeps reasoning_effort", () => {
    const catalog = { provider: "google" as const, id: "gemini-2.5-flash", aliases: [] };
    const adjusted = adapter.adjust(
      chatRequest({
        model: catalog.id,
        reasoning_effort: "low",
        parallel_tool_calls: false,
        prompt_cache_key: "k",
        service_tier: "flex",
        user: "u",
      }),
      catalog,
    );
    expect(adjusted.adjusted.map((item) => `${item.param}=${item.action}`).sort()).toEqual([
      "parallel_tool_calls=dropped",
      "prompt_cache_key=dropped",
      "service_tier=dropped",
      "user=dropped",
    ]);
    expect(adjusted.request.reasoning_effort).toBe("low");
  });

  it("drops penalties where the model refuses them and keeps at most 5 stop sequences", async () => {
    const req = chatRequest({
      model: "gemini-2.5-flash",
      presence_penalty: 0.3,
      frequency_penalty: 0.2,
      stop: ["1", "2", "3", "4", "5", "6"],
    });
    const modern = adapter.adjust(req, { provider: "google", id: "gemini-2.5-flash", aliases: [] });
    expect(modern.adjusted.map((item) => `${item.param}=${item.action}`)).toEqual([
      "presence_penalty=dropped",
      "frequency_penalty=dropped",
      "stop=filtered",
    ]);
    await adapter.chat(modern.request, testContext(fake.url));
    expect(body().generationConfig).toEqual({ stopSequences: ["1", "2", "3", "4", "5"] });
    const old = adapter.adjust(
      { ...req, model: "gemini-2.0-flash" },
      { provider: "google", id: "gemini-2.0-flash", aliases: [] },
    );
    await adapter.chat(old.request, testContext(fake.url));
    expect(body().generationConfig).toMatchObject({ presencePenalty: 0.3, frequencyPenalty: 0.2 });
  });

  it("returns thought summaries as reasoningContent, streamed or not", async () => {
    const req = chatRequest({ model: "gemini-3-flash-preview", reasoning_effort: "low" });
    const result = await adapter.chat(req, testContext(fake.url));
    expect(result.reasoningContent).toBe(FAKE_THOUGHT_SUMMARY);
    expect(result.content).toBe("Hello from the fake provider.");
    const { deltas, text } = await collect(adapter.chatStream(req, testContext(fake.url)));
    expect(deltas.map((delta) => delta.reasoningContent ?? "").join("")).toBe(FAKE_THOUGHT_SUMMARY);
    expect(text).toBe("Hello from the fake provider.");
  });
});

describe("response_format", () => {
  it("sends json_schema as responseJsonSchema and json_object as responseMimeType only", async () => {
    const schema = {
      type: "object",
      properties: { a: { type: "string" } },
      additionalProperties: false,
      required: ["a"],
    };
    await adapter.chat(
      chatRequest({
        model: "gemini-2.5-flash",
        response_format: { type: "json_schema", json_schema: { name: "out", schema, strict: true } },
      }),
      testContext(fake.url),
    );
    expect(body().generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: schema,
    });
    await adapter.chat(
      chatRequest({ model: "gemini-2.5-flash", response_format: { type: "json_object" } }),
      testContext(fake.url),
    );
    expect(body().generationConfig).toEqual({ responseMimeType: "application/json" });
  });
});

describe("finish reasons", () => {
  const usage = { prompt: 20, completion: 7 };
  it.each(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"])(
    "%s is a 502 naming the reason and carrying the billed usage",
    async (reason) => {
      fake.enqueue({ type: "success", content: "", finishReason: reason, usage });
      const error = await rejectionOf(
        adapter.chat(chatRequest({ model: "gemini-2.5-flash" }), testContext(fake.url)),
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ status: 502, providerCode: reason });
      expect((error as ProviderError).partialUsage).toMatchObject({
        promptTokens: 20,
        completionTokens: 7,
        estimated: false,
      });
      fake.enqueue({ type: "stream", chunks: [], finishReason: reason, usage });
      const streamed = await collectUntilError(
        adapter.chatStream(chatRequest({ model: "gemini-2.5-flash" }), testContext(fake.url)),
      );
      expect(streamed.error).toMatchObject({ status: 502, providerCode: reason });
      expect((streamed.error as ProviderError).partialUsage).toMatchObject({
        promptTokens: 20,
        completionTokens: 7,
        estimated: false,
      });
    },
  );

  it("estimates the usage of a streamed MALFORMED_FUNCTION_CALL that reports none", async () => {
    fake.enqueue({ type: "streamWithoutUsage", chunks: [], finishReason: "MALFORMED_FUNCTION_CALL" });
    const streamed = await collectUntilError(
      adapter.chatStream(chatRequest({ model: "gemini-2.5-flash" }), testContext(fake.url)),
    );
    expect(streamed.error).toMatchObject({ status: 502, providerCode: "MALFORMED_FUNCTION_CALL" });
    expect((streamed.error as ProviderError).partialUsage).toMatchObject({ estimated: true });
    expect((streamed.error as ProviderError).partialUsage?.promptTokens).toBeGreaterThan(0);
  });

  it.each(["SAFETY", "LANGUAGE", "SPII", "BLOCKLIST"])("%s is content_filter", async (reason) => {
    fake.enqueue({ type: "success", finishReason: reason }, { type: "stream", finishReason: reason });
    const req = chatRequest({ model: "gemini-2.5-flash" });
    expect((await adapter.chat(req, testContext(fake.url))).finishReason).toBe("content_filter");
    expect((await collect(adapter.chatStream(req, testContext(fake.url)))).done.finishReason).toBe(
      "content_filter",
    );
  });
});

describe("errors", () => {
  it("waits the RetryInfo retryDelay of a quota 429, then succeeds", async () => {
    fake.enqueue({ type: "error", status: 429, body: geminiQuotaError("0.2s") });
    const started = performance.now();
    const result = await adapter.chat(chatRequest({ model: "gemini-2.5-flash" }), testContext(fake.url));
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(result.content).toBe("Hello from the fake provider.");
    expect(fake.requests).toHaveLength(2);
  });

  it("surfaces a retryDelay beyond maxDelayMs as retryAfter, without retrying", async () => {
    fake.enqueue({ type: "error", status: 429, body: geminiQuotaError("13s") });
    const error = await rejectionOf(
      adapter.chat(chatRequest({ model: "gemini-2.5-flash" }), testContext(fake.url)),
    );
    expect(error).toMatchObject({ status: 429, providerCode: "RESOURCE_EXHAUSTED", retryAfter: 13 });
    expect(fake.requests).toHaveLength(1);
  });
});
