import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, rejectionOf, testContext } from "../test-support";

const adapter = getAdapter("google");
const model = "gemini-2.5-flash";
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("google");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

const body = (i = 0) => fake.requests[i]?.body as Record<string, unknown>;

describe("google request translation", () => {
  it("calls generateContent and streamGenerateContent?alt=sse with x-goog-api-key", async () => {
    await adapter.chat(chatRequest({ model }), testContext(fake.url));
    await collect(adapter.chatStream(chatRequest({ model }), testContext(fake.url)));
    expect(fake.requests.map((r) => r.path)).toEqual([
      `/v1beta/models/${model}:generateContent`,
      `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
    ]);
    expect(fake.requests[0]?.headers["x-goog-api-key"]).toBe("test-key");
    expect(fake.requests[0]?.path).not.toContain("key=");
  });

  it("builds contents, systemInstruction and generationConfig", async () => {
    const req = chatRequest({
      // Gemini 2.0: the models since 2.5 refuse penalties ("Penalty is not enabled", vercel/ai#8943).
      model: "gemini-2.0-flash",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        {
          role: "user",
          content: [
            { type: "text", text: "Look:" },
            { type: "image_url", image_url: { url: "https://x.test/cat.png" } },
          ],
        },
      ],
      temperature: 1.5,
      top_p: 0.9,
      max_tokens: 256,
      stop: ["END"],
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      seed: 5,
      response_format: { type: "json_object" },
    });
    await adapter.chat(req, testContext(fake.url));
    expect(body()).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Hi" }] },
        { role: "model", parts: [{ text: "Hello!" }] },
        {
          role: "user",
          parts: [
            { text: "Look:" },
            { fileData: { mimeType: "image/png", fileUri: "https://x.test/cat.png" } },
          ],
        },
      ],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: {
        temperature: 1.5,
        topP: 0.9,
        maxOutputTokens: 256,
        stopSequences: ["END"],
        presencePenalty: 0.1,
        frequencyPenalty: 0.2,
        seed: 5,
        responseMimeType: "application/json",
      },
    });
  });

  it("translates tools and answers to function calls", async () => {
    const req = chatRequest({
      model,
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"temp":9}' },
        { role: "user", content: "Thanks" },
      ],
      tools: [
        { type: "function", function: { name: "weather", description: "d", parameters: { type: "object" } } },
      ],
      tool_choice: { type: "function", function: { name: "weather" } },
    });
    await adapter.chat(req, testContext(fake.url));
    expect(body().contents).toEqual([
      { role: "user", parts: [{ text: "Weather?" }] },
      { role: "model", parts: [{ functionCall: { name: "weather", args: { city: "Oslo" } } }] },
      {
        role: "user",
        parts: [{ functionResponse: { name: "weather", response: { temp: 9 } } }, { text: "Thanks" }],
      },
    ]);
    expect(body().tools).toEqual([
      {
        functionDeclarations: [
          { name: "weather", description: "d", parametersJsonSchema: { type: "object" } },
        ],
      },
    ]);
    expect(body().toolConfig).toEqual({
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] },
    });
  });
});

describe("google response translation", () => {
  it("maps finish reasons", async () => {
    const req = chatRequest({ model });
    for (const [wire, ours] of [
      ["STOP", "stop"],
      ["MAX_TOKENS", "length"],
      ["SAFETY", "content_filter"],
      ["RECITATION", "content_filter"],
      ["PROHIBITED_CONTENT", "content_filter"],
    ] as const) {
      fake.enqueue({ type: "success", finishReason: wire }, { type: "stream", finishReason: wire });
      expect((await adapter.chat(req, testContext(fake.url))).finishReason).toBe(ours);
      expect((await collect(adapter.chatStream(req, testContext(fake.url)))).done.finishReason).toBe(ours);
    }
  });

  it("returns function calls as tool calls with finish reason tool_calls", async () => {
    const toolCalls = [{ name: "weather", arguments: { city: "Oslo" } }];
    fake.enqueue({ type: "success", toolCalls }, { type: "stream", toolCalls });
    const result = await adapter.chat(chatRequest({ model }), testContext(fake.url));
    expect(result.finishReason).toBe("tool_calls");
    expect(result.toolCalls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: "function",
        function: { name: "weather", arguments: '{"city":"Oslo"}' },
      },
    ]);
    const { deltas, done } = await collect(adapter.chatStream(chatRequest({ model }), testContext(fake.url)));
    expect(deltas.flatMap((delta) => delta.toolCalls ?? [])).toMatchObject([
      { index: 0, type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
    ]);
    expect(done.finishReason).toBe("tool_calls");
  });

  it("counts thoughts as completion and cached content inside the prompt", async () => {
    fake.enqueue({
      type: "success",
      rawUsage: {
        promptTokenCount: 1000,
        cachedContentTokenCount: 600,
        candidatesTokenCount: 40,
        thoughtsTokenCount: 160,
        totalTokenCount: 1200,
      },
    });
    const result = await adapter.chat(chatRequest({ model }), testContext(fake.url));
    expect(result.usage).toEqual({
      promptTokens: 1000,
      completionTokens: 200,
      cachedReadTokens: 600,
      cacheWriteTokens: 0,
      reasoningTokens: 160,
      estimated: false,
    });
  });

  it("treats Gemini's 400 API_KEY_INVALID as a rejected credential", async () => {
    const result = await adapter.testCredential({ apiKey: "AIza-wrong", baseUrl: fake.url });
    expect(result).toMatchObject({ ok: false, status: 400 });
    const error = await rejectionOf(
      adapter.chat(chatRequest({ model }), testContext(fake.url, { apiKey: "AIza-wrong" })),
    );
    // The status it means (401); the one Gemini answered stays upstreamStatus.
    expect(error).toMatchObject({
      status: 401,
      upstreamStatus: 400,
      providerCode: "API_KEY_INVALID",
      message: expect.stringMatching(/API key not valid/),
    });
  });
});
