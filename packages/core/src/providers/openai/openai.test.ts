import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultCatalog } from "../../catalog";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, testContext } from "../test-support";

const adapter = getAdapter("openai");
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("openai");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

const tools = [
  {
    type: "function" as const,
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } } },
    },
  },
];

describe("openai request translation", () => {
  it("passes every supported field through to POST /v1/chat/completions", async () => {
    const req = chatRequest({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Hi" }], name: "ann" },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 100,
      stop: ["END"],
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      seed: 7,
      tools,
      tool_choice: "auto",
      response_format: { type: "json_object" },
      user: "user-1",
    });
    await adapter.chat(req, testContext(fake.url));
    const [recorded] = fake.requests;
    expect(recorded?.method).toBe("POST");
    expect(recorded?.path).toBe("/v1/chat/completions");
    expect(recorded?.headers.authorization).toBe("Bearer test-key");
    expect(recorded?.headers["content-type"]).toBe("application/json");
    expect(recorded?.body).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Hi" }], name: "ann" },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 100,
      stop: ["END"],
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      seed: 7,
      tools,
      tool_choice: "auto",
      response_format: { type: "json_object" },
      user: "user-1",
    });
  });

  it("asks for stream usage", async () => {
    await collect(adapter.chatStream(chatRequest({ model: "gpt-4o-mini" }), testContext(fake.url)));
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("sends max_completion_tokens to reasoning models and when the client used it", async () => {
    const o3mini = defaultCatalog.model("openai", "o3-mini")!;
    const { request } = adapter.adjust(chatRequest({ model: "o3-mini", max_tokens: 50 }), o3mini);
    await adapter.chat(request, testContext(fake.url));
    await adapter.chat(chatRequest({ model: "gpt-4o", max_completion_tokens: 60 }), testContext(fake.url));
    expect(fake.requests[0]?.body).toMatchObject({ max_completion_tokens: 50 });
    expect(fake.requests[0]?.body).not.toHaveProperty("max_tokens");
    expect(fake.requests[1]?.body).toMatchObject({ max_completion_tokens: 60 });
  });

  it("replays assistant tool calls and tool results unchanged", async () => {
    const messages = [
      { role: "user" as const, content: "Weather in Paris?" },
      {
        role: "assistant" as const,
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function" as const,
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: "tool" as const, content: "18C", tool_call_id: "call_1" },
    ];
    await adapter.chat(chatRequest({ model: "gpt-4o-mini", messages, tools }), testContext(fake.url));
    expect(fake.requests[0]?.body).toMatchObject({ messages });
  });
});

describe("openai response translation", () => {
  it("maps finish reasons", async () => {
    const req = chatRequest({ model: "gpt-4o-mini" });
    for (const [wire, ours] of [
      ["length", "length"],
      ["content_filter", "content_filter"],
      ["stop", "stop"],
    ] as const) {
      fake.enqueue({ type: "success", finishReason: wire });
      expect((await adapter.chat(req, testContext(fake.url))).finishReason).toBe(ours);
    }
  });

  it("returns tool calls", async () => {
    fake.enqueue({
      type: "success",
      toolCalls: [{ id: "call_9", name: "get_weather", arguments: { city: "Oslo" } }],
    });
    const result = await adapter.chat(chatRequest({ model: "gpt-4o-mini", tools }), testContext(fake.url));
    expect(result.finishReason).toBe("tool_calls");
    expect(result.content).toBeNull();
    expect(result.toolCalls).toEqual([
      { id: "call_9", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
    ]);
    expect(result.providerRequestId).toMatch(/^req_fake_/);
  });

  it("streams tool call deltas", async () => {
    fake.enqueue({
      type: "stream",
      toolCalls: [{ id: "call_9", name: "get_weather", arguments: { city: "Oslo" } }],
    });
    const { deltas, done } = await collect(
      adapter.chatStream(chatRequest({ model: "gpt-4o-mini", tools }), testContext(fake.url)),
    );
    expect(deltas.flatMap((delta) => delta.toolCalls ?? [])).toEqual([
      { index: 0, id: "call_9", type: "function", function: { name: "get_weather" } },
      { index: 0, function: { arguments: '{"city":"Oslo"}' } },
    ]);
    expect(done.finishReason).toBe("tool_calls");
  });

  it("scrubs the key OpenAI echoes in its 401 message", async () => {
    const apiKey = "sk-proj-abcdefghijklmnop";
    const error = await adapter
      .chat(chatRequest({ model: "gpt-4o-mini" }), testContext(fake.url, { apiKey }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 401, providerCode: "invalid_api_key" });
    expect((error as Error).message).toContain("Incorrect API key provided: [REDACTED]");
  });
});
