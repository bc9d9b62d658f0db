import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../errors";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, collectUntilError, rejectionOf, testContext } from "../test-support";
import { mistralToolCallId } from "./tool-call-id";

/** Mistral's own rules against the strict fake: tool-call ids, 422 details, finish_reason error, base URL. */

const adapter = getAdapter("mistral");
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("mistral");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

const TOOLS = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object" } } }];

describe("mistral tool-call ids", () => {
  it("keeps its own form and rewrites any other into it, deterministically", () => {
    expect(mistralToolCallId("abcDEF123")).toBe("abcDEF123");
    for (const id of ["call_abc123", "toolu_01A09q90qw90lq917835lq9", "c1", "abcDEF12"]) {
      expect(mistralToolCallId(id)).toMatch(/^[a-zA-Z0-9]{9}$/);
      expect(mistralToolCallId(id)).toBe(mistralToolCallId(id));
    }
    expect(mistralToolCallId("call_a")).not.toBe(mistralToolCallId("call_b"));
  });

  it("continues on Mistral a tool loop begun with OpenAI and Anthropic ids", async () => {
    const req = chatRequest({
      model: "mistral-small-latest",
      messages: [
        { role: "user", content: "TOOLCALL lookup" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_Xy12", type: "function", function: { name: "lookup", arguments: "{}" } },
            { id: "toolu_01AB", type: "function", function: { name: "lookup", arguments: '{"a":1}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_Xy12", content: "one" },
        { role: "tool", tool_call_id: "toolu_01AB", content: "two" },
      ],
      tools: TOOLS,
    });
    const result = await adapter.chat(req, testContext(fake.url));
    expect(result.content).toBe("Tool result: one; two");
    const sent = fake.requests[0]?.body as { messages: Record<string, unknown>[] };
    const [a, b] = [mistralToolCallId("call_Xy12"), mistralToolCallId("toolu_01AB")];
    expect(sent.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: a, type: "function", function: { name: "lookup", arguments: "{}" } },
          { id: b, type: "function", function: { name: "lookup", arguments: '{"a":1}' } },
        ],
      },
      { role: "tool", content: "one", tool_call_id: a },
      { role: "tool", content: "two", tool_call_id: b },
    ]);
  });

  it.each([false, true])("answers its own ids in a full loop (streamed: %s)", async (streamed) => {
    const first = chatRequest({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: 'TOOLCALL lookup {"q":1}' }],
      tools: TOOLS,
    });
    let id: string;
    let args: string;
    if (streamed) {
      const { deltas, done } = await collect(adapter.chatStream(first, testContext(fake.url)));
      const calls = deltas.flatMap((delta) => delta.toolCalls ?? []);
      id = calls[0]!.id!;
      args = calls.map((call) => call.function?.arguments ?? "").join("");
      expect(done.finishReason).toBe("tool_calls");
    } else {
      const result = await adapter.chat(first, testContext(fake.url));
      id = result.toolCalls![0]!.id;
      args = result.toolCalls![0]!.function.arguments;
    }
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(args).toBe('{"q":1}');
    const second = chatRequest({
      model: "mistral-small-latest",
      messages: [
        ...first.messages,
        {
          role: "assistant",
          content: null,
          reasoning_content: "kept away from Mistral",
          tool_calls: [{ id, type: "function", function: { name: "lookup", arguments: args } }],
        },
        { role: "tool", tool_call_id: id, content: "ok" },
      ],
      tools: TOOLS,
    });
    expect((await adapter.chat(second, testContext(fake.url))).content).toBe("Tool result: ok");
    const sent = fake.requests.at(-1)?.body as { messages: Record<string, unknown>[] };
    expect(sent.messages[1]?.tool_calls).toEqual([
      { id, type: "function", function: { name: "lookup", arguments: args } },
    ]);
    expect(sent.messages[1]).not.toHaveProperty("reasoning_content");
  });
});

describe("mistral errors and fields", () => {
  it("turns a 422 whose message is an object into a readable message", async () => {
    fake.enqueue({
      type: "error",
      status: 422,
      body: {
        object: "error",
        message: {
          detail: [
            {
              type: "extra_forbidden",
              loc: ["body", "messages", 0, "user", "name"],
              msg: "Extra inputs are not permitted",
              input: "ann",
            },
          ],
        },
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    const error = await rejectionOf(
      adapter.chat(chatRequest({ model: "mistral-small-latest" }), testContext(fake.url)),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      status: 422,
      message: "body.messages.0.user.name: Extra inputs are not permitted",
      providerCode: "invalid_request_error",
    });
  });

  it("fails finish_reason error with the usage to bill", async () => {
    fake.enqueue({ type: "success", finishReason: "error", usage: { prompt: 20, completion: 5 } });
    const error = await rejectionOf(
      adapter.chat(chatRequest({ model: "mistral-small-latest" }), testContext(fake.url)),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 502, providerCode: "finish_reason_error" });
    expect((error as ProviderError).partialUsage).toMatchObject({
      promptTokens: 20,
      completionTokens: 5,
      estimated: false,
    });
  });

  it("fails a stream ending in finish_reason error with the usage of its last chunk", async () => {
    fake.enqueue({ type: "stream", finishReason: "error", usage: { prompt: 21, completion: 6 } });
    const { events, error } = await collectUntilError(
      adapter.chatStream(chatRequest({ model: "mistral-small-latest" }), testContext(fake.url)),
    );
    expect(events.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ status: 502, providerCode: "finish_reason_error" });
    expect((error as ProviderError).partialUsage).toMatchObject({
      promptTokens: 21,
      completionTokens: 6,
      estimated: false,
    });
  });

  it("maps reasoning_effort, parallel_tool_calls and prompt_cache_key", async () => {
    const req = chatRequest({
      model: "magistral-small-latest",
      reasoning_effort: "high",
      parallel_tool_calls: false,
      prompt_cache_key: "conv-1",
      tools: TOOLS,
    });
    const { request, adjusted } = adapter.adjust(req, {
      provider: "mistral",
      id: "magistral-small-latest",
      aliases: [],
    });
    expect(adjusted).toEqual([]);
    await adapter.chat(request, testContext(fake.url));
    expect(fake.requests[0]?.body).toEqual({
      model: "magistral-small-latest",
      messages: [{ role: "user", content: "Say hello." }],
      tools: TOOLS,
      reasoning_effort: "high",
      parallel_tool_calls: false,
      prompt_cache_key: "conv-1",
    });
  });

  it("reads arguments given as an object, and no arguments as {}", async () => {
    fake.enqueue({
      type: "malformed",
      body: JSON.stringify({
        id: "cmpl-1",
        object: "chat.completion",
        model: "mistral-small-latest",
        usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
        created: 1764576600,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "",
              tool_calls: [
                { id: "abcDEF123", type: "function", function: { name: "lookup", arguments: { q: 1 } } },
                { id: "abcDEF124", type: "function", function: { name: "lookup", arguments: "" } },
              ],
              prefix: false,
            },
            finish_reason: "tool_calls",
          },
        ],
      }),
    });
    const result = await adapter.chat(
      chatRequest({ model: "mistral-small-latest", tools: TOOLS }),
      testContext(fake.url),
    );
    expect(result.toolCalls?.map((call) => call.function.arguments)).toEqual(['{"q":1}', "{}"]);
  });

  it("gives a tool without parameters an empty parameter schema, as Mistral requires one", async () => {
    const req = chatRequest({
      model: "mistral-small-latest",
      messages: [{ role: "user", content: "TOOLCALL now" }],
      tools: [{ type: "function", function: { name: "now" } }],
    });
    const result = await adapter.chat(req, testContext(fake.url));
    expect(result.toolCalls?.[0]?.function).toEqual({ name: "now", arguments: "{}" });
    const sent = fake.requests[0]!.body as { tools: unknown };
    expect(sent.tools).toEqual([
      { type: "function", function: { name: "now", parameters: { type: "object", properties: {} } } },
    ]);
  });

  it("accepts the base URL with and without /v1", async () => {
    const bare = fake.url.replace(/\/v1$/, "");
    expect(bare).not.toBe(fake.url);
    for (const baseUrl of [bare, `${bare}/`, fake.url]) {
      await adapter.chat(chatRequest({ model: "mistral-small-latest" }), testContext(baseUrl));
      expect(fake.requests.at(-1)?.path).toBe("/v1/chat/completions");
      expect(await adapter.testCredential({ apiKey: "test-key", baseUrl })).toMatchObject({ ok: true });
      expect(fake.requests.at(-1)?.path).toBe("/v1/models");
    }
  });
});
