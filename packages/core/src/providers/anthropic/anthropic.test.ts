import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, collectUntilError, rejectionOf, testContext } from "../test-support";
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from "../types";

const adapter = getAdapter("anthropic");
const model = "claude-sonnet-4-5";
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("anthropic");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

const body = (i = 0) => fake.requests[i]?.body as Record<string, unknown>;

describe("anthropic request translation", () => {
  it("posts to {base}/v1/messages with x-api-key and anthropic-version", async () => {
    await adapter.chat(chatRequest({ model }), testContext(fake.url));
    const [recorded] = fake.requests;
    expect(recorded?.path).toBe("/v1/messages");
    expect(recorded?.headers["x-api-key"]).toBe("test-key");
    expect(recorded?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(recorded?.headers.authorization).toBeUndefined();
  });

  it("moves system messages to the top level and renames stop", async () => {
    const req = chatRequest({
      model,
      messages: [
        { role: "system", content: "Rule one." },
        { role: "developer", content: [{ type: "text", text: "Rule two." }] },
        { role: "user", content: "Hi" },
      ],
      stop: "END",
      top_p: 0.8,
      user: "user-7",
    });
    await adapter.chat(req, testContext(fake.url));
    expect(body()).toEqual({
      model,
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
      system: "Rule one.\n\nRule two.",
      messages: [{ role: "user", content: "Hi" }],
      top_p: 0.8,
      stop_sequences: ["END"],
      metadata: { user_id: "user-7" },
    });
  });

  it("takes max_tokens from the request, else the context, else 4096", async () => {
    await adapter.chat(
      chatRequest({ model, max_tokens: 10 }),
      testContext(fake.url, { defaultMaxTokens: 20 }),
    );
    await adapter.chat(chatRequest({ model, max_completion_tokens: 15 }), testContext(fake.url));
    await adapter.chat(chatRequest({ model }), testContext(fake.url, { defaultMaxTokens: 20 }));
    await adapter.chat(chatRequest({ model }), testContext(fake.url));
    expect([0, 1, 2, 3].map((i) => body(i).max_tokens)).toEqual([10, 15, 20, 4096]);
  });

  it("clamps temperature to Anthropic's 0..1 in adjust, and reports it", async () => {
    const catalogModel = { provider: "anthropic" as const, id: model, aliases: [] };
    const high = adapter.adjust(chatRequest({ model, temperature: 1.7 }), catalogModel);
    const low = adapter.adjust(chatRequest({ model, temperature: 0.4 }), catalogModel);
    expect(high.adjusted.map((a) => [a.param, a.action, a.value])).toEqual([["temperature", "clamped", 1]]);
    expect(low.adjusted).toEqual([]);
    await adapter.chat(high.request, testContext(fake.url));
    await adapter.chat(low.request, testContext(fake.url));
    expect([body(0).temperature, body(1).temperature]).toEqual([1, 0.4]);
  });

  it("translates tools, tool calls and tool results, merging same-role turns", async () => {
    const req = chatRequest({
      model,
      messages: [
        { role: "user", content: "Weather in Paris and Oslo?" },
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            { id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
            { id: "toolu_2", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "18C" },
        { role: "tool", tool_call_id: "toolu_2", content: "9C" },
        { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
      ],
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }],
      tool_choice: "required",
    });
    await adapter.chat(req, testContext(fake.url));
    expect(body().tools).toEqual([{ name: "weather", input_schema: { type: "object" } }]);
    expect(body().tool_choice).toEqual({ type: "any" });
    expect(body().messages).toEqual([
      { role: "user", content: "Weather in Paris and Oslo?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_2", name: "weather", input: { city: "Oslo" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "18C" },
          { type: "tool_result", tool_use_id: "toolu_2", content: "9C" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
        ],
      },
    ]);
  });

  it("streams with stream: true", async () => {
    await collect(adapter.chatStream(chatRequest({ model }), testContext(fake.url)));
    expect(body().stream).toBe(true);
  });
});

describe("anthropic response translation", () => {
  it("maps stop reasons", async () => {
    const req = chatRequest({ model });
    for (const [wire, ours] of [
      ["end_turn", "stop"],
      ["stop_sequence", "stop"],
      ["max_tokens", "length"],
      ["refusal", "content_filter"],
    ] as const) {
      fake.enqueue({ type: "success", finishReason: wire }, { type: "stream", finishReason: wire });
      expect((await adapter.chat(req, testContext(fake.url))).finishReason).toBe(ours);
      expect((await collect(adapter.chatStream(req, testContext(fake.url)))).done.finishReason).toBe(ours);
    }
  });

  it("normalises usage so cached tokens are counted once", async () => {
    fake.enqueue({
      type: "success",
      rawUsage: {
        input_tokens: 5,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 200,
        output_tokens: 42,
      },
    });
    const result = await adapter.chat(chatRequest({ model }), testContext(fake.url));
    expect(result.usage).toEqual({
      promptTokens: 1205,
      completionTokens: 42,
      cachedReadTokens: 1000,
      cacheWriteTokens: 200,
      reasoningTokens: 0,
      estimated: false,
    });
    expect(result.providerRequestId).toMatch(/^req_fake_/);
  });

  it("returns tool_use blocks as tool calls, streamed or not", async () => {
    const toolCalls = [{ id: "toolu_9", name: "weather", arguments: { city: "Oslo" } }];
    fake.enqueue({ type: "success", toolCalls }, { type: "stream", toolCalls });
    const result = await adapter.chat(chatRequest({ model }), testContext(fake.url));
    expect(result).toMatchObject({
      content: null,
      finishReason: "tool_calls",
      toolCalls: [
        { id: "toolu_9", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
      ],
    });
    const { deltas, done } = await collect(adapter.chatStream(chatRequest({ model }), testContext(fake.url)));
    expect(deltas.flatMap((delta) => delta.toolCalls ?? [])).toEqual([
      { index: 0, id: "toolu_9", type: "function", function: { name: "weather", arguments: "" } },
      { index: 0, function: { arguments: '{"city":"Oslo"}' } },
    ]);
    expect(done.finishReason).toBe("tool_calls");
  });

  it("retries 529 overloaded", async () => {
    fake.enqueue({ type: "error", status: 529 }, { type: "success" });
    await adapter.chat(chatRequest({ model }), testContext(fake.url));
    expect(fake.requests).toHaveLength(2);
  });

  it("turns an error event inside the stream into a ProviderError", async () => {
    fake.enqueue({
      type: "malformed",
      body: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    });
    const { error } = await collectUntilError(
      adapter.chatStream(chatRequest({ model }), testContext(fake.url)),
    );
    expect(error).toMatchObject({ status: 529, providerCode: "overloaded_error", message: "Overloaded" });
  });

  it("reports a missing anthropic-version as the 400 Anthropic sends", async () => {
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "test-key", "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(400);
    const error = await rejectionOf(
      adapter.chat(chatRequest({ model }), testContext(fake.url, { apiKey: "bad-key-123" })),
    );
    expect(error).toMatchObject({
      status: 401,
      providerCode: "authentication_error",
      message: "invalid x-api-key",
    });
  });
});
