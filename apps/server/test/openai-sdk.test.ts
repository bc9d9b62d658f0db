import { testBackends } from "@llmg/db/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, startChatFixture } from "./chat-harness";

describe("the official openai package against /v1", () => {
  let f: ChatFixture;
  let client: OpenAI;
  beforeAll(async () => {
    f = await startChatFixture(testBackends()[0]!);
    client = new OpenAI({ baseURL: `${f.t.url}/v1`, apiKey: f.user.key, maxRetries: 0 });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("creates a completion, routed to Anthropic and translated back", async () => {
    f.fakes.anthropic.enqueue({ type: "success", content: "Bonjour", usage: { prompt: 20, completion: 5 } });
    const { data, response } = await client.chat.completions
      .create({
        model: "anthropic/claude-sonnet-4-5",
        messages: [{ role: "user", content: "Say hi in French" }],
        max_tokens: 50,
      })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]?.message.content).toBe("Bonjour");
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 });
    // 20 × 0.000003 + 5 × 0.000015
    expect(response.headers.get("x-llmg-cost-usd")).toBe("0.000135");
    expect(response.headers.get("x-llmg-request-id")).toMatch(/^req_/);
    expect((f.fakes.anthropic.requests.at(-1)!.body as { max_tokens: number }).max_tokens).toBe(50);
  });

  it("streams a completion with a final usage chunk", async () => {
    f.fakes.openai.enqueue({
      type: "stream",
      chunks: ["Why", " not", "?"],
      usage: { prompt: 9, completion: 3 },
    });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Question?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Why not?");
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
  });

  it("raises the SDK's typed errors", async () => {
    const bad = new OpenAI({ baseURL: `${f.t.url}/v1`, apiKey: "llmg_wrong", maxRetries: 0 });
    await expect(
      bad.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(
      client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
