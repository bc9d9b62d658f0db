import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../errors";
import { closeAllPools } from "../http";
import { getAdapter } from "../registry";
import { chatRequest, collect, rejectionOf, testContext } from "../test-support";

const adapter = getAdapter("deepseek");
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider("deepseek");
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
afterEach(() => fake.reset());

describe("deepseek", () => {
  it("posts to {base}/chat/completions with text-only content and no unsupported fields", async () => {
    const req = chatRequest({
      model: "deepseek-chat",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Hi " },
            { type: "text", text: "there" },
          ],
        },
      ],
      seed: 3,
      user: "u",
      presence_penalty: 1,
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
    });
    await adapter.chat(req, testContext(fake.url));
    const [recorded] = fake.requests;
    expect(fake.url).not.toMatch(/\/v1$/);
    expect(recorded?.path).toBe("/chat/completions");
    expect(recorded?.headers.authorization).toBe("Bearer test-key");
    expect(recorded?.body).toEqual({
      model: "deepseek-chat",
      messages: [{ role: "user", content: "Hi there" }],
      presence_penalty: 1,
      response_format: { type: "json_object" },
    });
  });

  it("rejects image content before calling", async () => {
    const req = chatRequest({
      model: "deepseek-chat",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }],
    });
    const error = await rejectionOf(adapter.chat(req, testContext(fake.url)));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 400 });
    expect(fake.requests).toHaveLength(0);
  });

  it("reads prompt_cache_hit_tokens and reasoning tokens", async () => {
    fake.enqueue({
      type: "success",
      rawUsage: {
        prompt_tokens: 30,
        completion_tokens: 20,
        total_tokens: 50,
        prompt_cache_hit_tokens: 25,
        prompt_cache_miss_tokens: 5,
        completion_tokens_details: { reasoning_tokens: 8 },
      },
    });
    const result = await adapter.chat(chatRequest({ model: "deepseek-reasoner" }), testContext(fake.url));
    expect(result.usage).toEqual({
      promptTokens: 30,
      completionTokens: 20,
      cachedReadTokens: 25,
      cacheWriteTokens: 0,
      reasoningTokens: 8,
      estimated: false,
    });
  });

  it("asks for stream usage like OpenAI", async () => {
    const { done } = await collect(
      adapter.chatStream(chatRequest({ model: "deepseek-chat" }), testContext(fake.url)),
    );
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(done.usage.estimated).toBe(false);
  });

  it("maps insufficient_system_resource to length", async () => {
    fake.enqueue({ type: "success", finishReason: "insufficient_system_resource" });
    const result = await adapter.chat(chatRequest({ model: "deepseek-chat" }), testContext(fake.url));
    expect(result.finishReason).toBe("length");
  });
});
