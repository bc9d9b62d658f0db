import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../errors";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import type { ChatRequestInput } from "../schema";
import { chatRequest, collect, collectUntilError, rejectionOf, testContext } from "../test-support";
import type { ChatResult } from "../types";
import { buildAnthropicBody } from "./chat";
import { NON_STREAMING_MAX_TOKENS } from "./long-call";
import { anthropicToolId } from "./tool-ids";

/** The new mappings, each sent to the strict fake (which refuses what the real API refuses). */

const adapter = getAdapter("anthropic");
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
const ctx = (defaultMaxTokens?: number) =>
  testContext(fake.url, defaultMaxTokens === undefined ? {} : { defaultMaxTokens });
/** As the service calls it: the model's maximum output as the default cap. */
const build = (input: Partial<ChatRequestInput> & { model: string }, stream = false) =>
  buildAnthropicBody(chatRequest(input), ctx(64_000), stream);
const weather = [{ type: "function" as const, function: { name: "get_weather" } }];

describe("anthropic reasoning_effort", () => {
  it("is adaptive thinking with output_config.effort on models that have it", () => {
    expect(build({ model: "claude-opus-4-7", reasoning_effort: "xhigh" })).toMatchObject({
      thinking: { type: "adaptive" },
      output_config: { effort: "xhigh" },
    });
    // Opus 4.6 has no xhigh; OpenAI's minimal is Anthropic's low.
    expect(build({ model: "claude-opus-4-6", reasoning_effort: "xhigh" }).output_config).toEqual({
      effort: "high",
    });
    expect(build({ model: "claude-sonnet-5", reasoning_effort: "minimal" }).output_config).toEqual({
      effort: "low",
    });
  });

  it("is a thinking budget below max_tokens on older models, and nothing for none", () => {
    expect(build({ model: "claude-sonnet-4-5", reasoning_effort: "medium" }).thinking).toEqual({
      type: "enabled",
      budget_tokens: 4096,
    });
    expect(
      build({ model: "claude-sonnet-4-5", reasoning_effort: "xhigh", max_tokens: 3000 }).thinking,
    ).toEqual({
      type: "enabled",
      budget_tokens: 2999,
    });
    const none = build({ model: "claude-sonnet-4-5", reasoning_effort: "none" });
    expect(none.thinking).toBeUndefined();
    expect(none.output_config).toBeUndefined();
  });

  it("returns thinking as reasoning and blocks, and sends the blocks back first in a tool loop", async () => {
    const ask = { model: "claude-sonnet-4-5", reasoning_effort: "low" as const, tools: weather };
    const first = await adapter.chat(
      chatRequest({ ...ask, messages: [{ role: "user", content: "TOOLCALL get_weather" }] }),
      ctx(),
    );
    expect(first.reasoningContent).toBe("Let me think about this step by step before answering.");
    expect(first.thinkingBlocks).toEqual([
      { type: "thinking", thinking: first.reasoningContent, signature: expect.any(String) },
    ]);
    expect(first.usage.reasoningTokens).toBe(10);
    const call = first.toolCalls?.[0];
    expect(call?.id).toMatch(/^toolu_01/);
    const second = await adapter.chat(
      chatRequest({
        ...ask,
        messages: [
          { role: "user", content: "TOOLCALL get_weather" },
          {
            role: "assistant",
            content: null,
            tool_calls: first.toolCalls,
            thinking_blocks: first.thinkingBlocks,
          },
          { role: "tool", tool_call_id: call?.id ?? "", content: "sunny" },
        ],
      }),
      ctx(),
    );
    expect(second.content).toBe("Tool result: sunny");
    expect((body(1).messages as unknown[])[1]).toEqual({
      role: "assistant",
      content: [
        first.thinkingBlocks?.[0],
        { type: "tool_use", id: call?.id, name: "get_weather", input: {} },
      ],
    });
  });

  it("streams thinking as reasoning deltas and each whole block once signed", async () => {
    const stream = adapter.chatStream(
      chatRequest({ model: "claude-opus-4-7", reasoning_effort: "high" }),
      ctx(),
    );
    const { deltas, done, text } = await collect(stream);
    expect(deltas.map((delta) => delta.reasoningContent ?? "").join("")).toBe(
      "Let me think about this step by step before answering.",
    );
    const blocks = deltas.flatMap((delta) => delta.thinkingBlocks ?? []);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({
      type: "thinking",
      thinking: "Let me think about this step by step before answering.",
    });
    expect(text).toBe("Hello from the fake provider.");
    expect(done.usage).toMatchObject({ completionTokens: 34, reasoningTokens: 10, estimated: false });
    expect(body()).toMatchObject({
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
      stream: true,
    });
  });
});

describe("anthropic thinking blocks sent back", () => {
  const blocks = [{ type: "thinking" as const, thinking: "hmm", signature: "sig" }];
  const call = {
    id: "toolu_1",
    type: "function" as const,
    function: { name: "get_weather", arguments: "{}" },
  };

  it("puts them first when two assistant messages make one turn", () => {
    const sent = build({
      model: "claude-sonnet-4-5",
      reasoning_effort: "low",
      tools: weather,
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: "Let me check." },
        { role: "assistant", content: null, tool_calls: [call], thinking_blocks: blocks },
        { role: "tool", tool_call_id: "toolu_1", content: "sunny" },
      ],
    });
    expect((sent.messages as { content: unknown }[])[1]?.content).toEqual([
      blocks[0],
      { type: "text", text: "Let me check." },
      { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} },
    ]);
  });

  it("leaves out blocks with nothing after them, and all of them when not thinking", () => {
    const alone = build({
      model: "claude-sonnet-4-5",
      reasoning_effort: "low",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "", thinking_blocks: blocks },
        { role: "user", content: "More?" },
      ],
    });
    expect(alone.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Hi" },
          { type: "text", text: "More?" },
        ],
      },
    ]);
    const off = build({
      model: "claude-sonnet-4-5",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello", thinking_blocks: blocks },
        { role: "user", content: "More?" },
      ],
    });
    expect((off.messages as { content: unknown }[])[1]).toEqual({ role: "assistant", content: "Hello" });
  });
});

describe("anthropic request fields", () => {
  it("maps parallel_tool_calls: false onto tool_choice", () => {
    expect(
      build({ model: "claude-sonnet-4-5", tools: weather, parallel_tool_calls: false }).tool_choice,
    ).toEqual({
      type: "auto",
      disable_parallel_tool_use: true,
    });
    expect(
      build({
        model: "claude-sonnet-4-5",
        tools: weather,
        tool_choice: "required",
        parallel_tool_calls: false,
      }).tool_choice,
    ).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(
      build({ model: "claude-sonnet-4-5", tools: weather, tool_choice: "none", parallel_tool_calls: false })
        .tool_choice,
    ).toEqual({
      type: "none",
    });
  });

  it("sends a json_schema response_format as output_config.format, answered with JSON", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    };
    const result = await adapter.chat(
      chatRequest({
        model: "claude-sonnet-4-5",
        response_format: { type: "json_schema", json_schema: { name: "place", schema } },
      }),
      ctx(),
    );
    expect(body().output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(JSON.parse(result.content ?? "")).toEqual({ city: "fake" });
  });

  it("maps service tiers to auto / standard_only", () => {
    expect(build({ model: "claude-sonnet-4-5", service_tier: "default" }).service_tier).toBe("standard_only");
    expect(build({ model: "claude-sonnet-4-5", service_tier: "priority" }).service_tier).toBe("auto");
    expect(build({ model: "claude-sonnet-4-5", service_tier: "auto" }).service_tier).toBe("auto");
  });

  it("rewrites foreign tool-call ids the same way in tool_use and tool_result, results first", async () => {
    const foreign = "functions.get_weather:0";
    const mapped = anthropicToolId(foreign);
    expect(mapped).toMatch(/^functions_get_weather_0_[0-9a-f]{8}$/);
    expect(anthropicToolId("functions.get_weather:1")).not.toBe(mapped);
    expect(anthropicToolId("toolu_01abc")).toBe("toolu_01abc");
    const result = await adapter.chat(
      chatRequest({
        model: "claude-sonnet-4-5",
        tools: weather,
        messages: [
          { role: "user", content: "Weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: foreign, type: "function", function: { name: "get_weather", arguments: "{}" } },
            ],
          },
          { role: "tool", tool_call_id: foreign, content: "sunny" },
          { role: "user", content: "And tomorrow?" },
        ],
      }),
      ctx(),
    );
    expect(result.content).toBe("Tool result: sunny");
    expect((body().messages as unknown[]).slice(1)).toEqual([
      { role: "assistant", content: [{ type: "tool_use", id: mapped, name: "get_weather", input: {} }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: mapped, content: "sunny" },
          { type: "text", text: "And tomorrow?" },
        ],
      },
    ]);
  });
});

describe("anthropic output cap and long calls", () => {
  it("caps a non-streamed default at what the SDK sends unstreamed; a stream takes the model's maximum", async () => {
    await adapter.chat(chatRequest({ model: "claude-sonnet-4-5" }), ctx(64_000));
    await collect(adapter.chatStream(chatRequest({ model: "claude-sonnet-4-5" }), ctx(64_000)));
    expect([body(0).max_tokens, body(1).max_tokens]).toEqual([NON_STREAMING_MAX_TOKENS, 64_000]);
    expect(NON_STREAMING_MAX_TOKENS).toBe(Math.floor((600 * 128_000) / 3_600));
  });

  it("makes a non-streamed call above that cap as a stream and returns one result", async () => {
    fake.enqueue({
      type: "stream",
      chunks: ["Long", " answer."],
      toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }],
      usage: { prompt: 20, completion: 30 },
    });
    const result: ChatResult = await adapter.chat(
      chatRequest({ model: "claude-sonnet-4-5", max_tokens: 50_000, tools: weather }),
      ctx(),
    );
    expect(body()).toMatchObject({ max_tokens: 50_000, stream: true });
    expect(result).toMatchObject({
      content: "Long answer.",
      finishReason: "tool_calls",
      toolCalls: [{ type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }],
      usage: { promptTokens: 20, completionTokens: 30, estimated: false },
    });
    expect(result.id).toMatch(/^msg_fake_/);
    expect(fake.requests).toHaveLength(1);
  });
});

describe("anthropic stream error events", () => {
  it.each([
    ["billing_error", 402, "provider_error"],
    ["timeout_error", 504, "provider_timeout"],
    ["overloaded_error", 529, "provider_error"],
  ])("maps %s to %i", async (errorType, status, code) => {
    fake.enqueue({ type: "streamError", errorType, message: "upstream says no", chunks: ["Par", "tial"] });
    const { events, error } = await collectUntilError(
      adapter.chatStream(chatRequest({ model: "claude-sonnet-4-5" }), ctx()),
    );
    expect(events.map((event) => (event.type === "delta" ? event.content : ""))).toEqual(["Par", "tial"]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status, code, providerCode: errorType, message: "upstream says no" });
  });

  it("maps a long non-streamed call's in-stream error the same way", async () => {
    fake.enqueue({ type: "streamError", errorType: "billing_error", message: "credit balance too low" });
    const error = await rejectionOf(
      adapter.chat(chatRequest({ model: "claude-sonnet-4-5", max_tokens: 40_000 }), ctx()),
    );
    expect(error).toMatchObject({ status: 402, providerCode: "billing_error" });
  });
});
