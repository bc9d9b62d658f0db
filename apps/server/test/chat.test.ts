import { testBackends } from "@llmg/db/testing";
import type { FakeProviderId, FakeUsage } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, FAKE_KEY, readSse, startChatFixture } from "./chat-harness";
import { call } from "./harness";

interface Case {
  provider: FakeProviderId;
  model: string;
  usage: FakeUsage;
  /** Worked by hand from the committed prices (USD per token), see the comment of each. */
  cost: { prompt: string; completion: string; total: string };
  /** The request path the provider's real API uses. */
  path: RegExp;
  authHeader: [string, string];
}

const CASES: Case[] = [
  {
    // 800 × 0.00000015 + 200 cached × 0.000000075 = 0.000135; 500 × 0.0000006 = 0.0003
    provider: "openai",
    model: "gpt-4o-mini",
    usage: { prompt: 1000, completion: 500, cachedRead: 200 },
    cost: { prompt: "0.000135", completion: "0.0003", total: "0.000435" },
    path: /^\/v1\/chat\/completions$/,
    authHeader: ["authorization", `Bearer ${FAKE_KEY}`],
  },
  {
    // 600 × 0.000003 + 300 read × 0.0000003 + 100 written × 0.00000375 = 0.002265; 500 × 0.000015 = 0.0075
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    usage: { prompt: 1000, completion: 500, cachedRead: 300, cacheWrite: 100 },
    cost: { prompt: "0.002265", completion: "0.0075", total: "0.009765" },
    path: /^\/v1\/messages$/,
    authHeader: ["x-api-key", FAKE_KEY],
  },
  {
    // 800 × 0.0000003 + 200 cached × 0.00000003 = 0.000246; (400 + 100 thinking) × 0.0000025 = 0.00125
    provider: "google",
    model: "gemini-2.5-flash",
    usage: { prompt: 1000, completion: 500, cachedRead: 200, reasoning: 100 },
    cost: { prompt: "0.000246", completion: "0.00125", total: "0.001496" },
    path: /^\/v1beta\/models\/gemini-2\.5-flash:(generateContent|streamGenerateContent\?alt=sse)$/,
    authHeader: ["x-goog-api-key", FAKE_KEY],
  },
  {
    // 600 × 0.00000028 + 400 hit × 0.000000028 = 0.0001792; 500 × 0.00000042 = 0.00021
    provider: "deepseek",
    model: "deepseek-chat",
    usage: { prompt: 1000, completion: 500, cachedRead: 400 },
    cost: { prompt: "0.0001792", completion: "0.00021", total: "0.0003892" },
    path: /^\/chat\/completions$/,
    authHeader: ["authorization", `Bearer ${FAKE_KEY}`],
  },
  {
    // 1000 × 0.0000005 = 0.0005; 500 × 0.0000015 = 0.00075
    provider: "mistral",
    model: "mistral-large-latest",
    usage: { prompt: 1000, completion: 500 },
    cost: { prompt: "0.0005", completion: "0.00075", total: "0.00125" },
    path: /^\/v1\/chat\/completions$/,
    authHeader: ["authorization", `Bearer ${FAKE_KEY}`],
  },
];

describe.each(testBackends())("chat through every provider on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind);
  });
  afterAll(async () => {
    await f?.close();
  });

  async function row(id: string) {
    return f.t.database.db.selectFrom("requests").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  }

  it.each(CASES)("POST /api/chat/completions → $provider, priced exactly and recorded", async (c) => {
    const fake = f.fakes[c.provider];
    fake.enqueue({ type: "success", content: "Hi there", usage: c.usage });
    const res = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: {
        provider: c.provider,
        model: c.model,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hello" },
        ],
        temperature: 0.5,
        max_tokens: 64,
        stop: ["END"],
        metadata: { team: "search" },
      },
      headers: { "user-agent": "chat-test/1" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      provider: c.provider,
      model: c.model,
      content: "Hi there",
      role: "assistant",
      finish_reason: "stop",
      usage: {
        prompt_tokens: c.usage.prompt,
        completion_tokens: c.usage.completion,
        total_tokens: c.usage.prompt + c.usage.completion,
      },
      cost: { total_cost_exact: c.cost.total, total_cost: Number(c.cost.total) },
    });
    expect(res.body.request_id).toBe(res.headers.get("x-llmg-request-id"));
    expect(res.headers.get("x-llmg-cost-usd")).toBe(c.cost.total);

    const seen = fake.requests.at(-1)!;
    expect(seen.method).toBe("POST");
    expect(seen.path).toMatch(c.path);
    expect(seen.headers[c.authHeader[0]]).toBe(c.authHeader[1]);
    const body = JSON.stringify(seen.body);
    expect(body).toContain("Be brief.");
    expect(body).toContain("END");

    const r = await row(res.body.request_id);
    expect(r).toMatchObject({
      user_id: f.user.user.id,
      api_key_id: f.user.keyId,
      provider: c.provider,
      model: c.model,
      endpoint: "api",
      stream: false,
      status: "success",
      http_status: 200,
      prompt_tokens: c.usage.prompt,
      completion_tokens: c.usage.completion,
      cached_tokens: c.usage.cachedRead ?? 0,
      cache_write_tokens: c.usage.cacheWrite ?? 0,
      reasoning_tokens: c.usage.reasoning ?? 0,
      usage_estimated: false,
      user_agent: "chat-test/1",
      metadata: { team: "search" },
      request_body: null,
      response_body: null,
    });
    // numeric comes back exact; compare as numbers of equal value to ignore trailing zeros
    expect(Number(r.prompt_cost)).toBe(Number(c.cost.prompt));
    expect(Number(r.completion_cost)).toBe(Number(c.cost.completion));
    expect(r.total_cost.replace(/0+$/, "")).toBe(c.cost.total);
    expect(r.credential_id).toMatch(/^cred_/);
  });

  it.each(CASES)("streams $provider through /v1 with OpenAI chunks, a usage chunk and [DONE]", async (c) => {
    const fake = f.fakes[c.provider];
    fake.enqueue({ type: "stream", chunks: ["Hel", "lo", " world"], usage: c.usage });
    const res = await fetch(`${f.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: `${c.provider}/${c.model}`,
        messages: [{ role: "user", content: "Hello" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const requestId = res.headers.get("x-llmg-request-id")!;
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as any[];
    const text = chunks.map((e) => e.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("Hello world");
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.every((e) => e.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.find((e) => e.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe("stop");
    const usageChunk = chunks.at(-1);
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({
      prompt_tokens: c.usage.prompt,
      completion_tokens: c.usage.completion,
      prompt_tokens_details: {
        cached_tokens: c.usage.cachedRead ?? 0,
        cache_write_tokens: c.provider === "anthropic" ? (c.usage.cacheWrite ?? 0) : 0,
      },
      cost_usd: c.cost.total,
    });
    if (c.provider === "openai") {
      expect((fake.requests.at(-1)!.body as any).stream_options).toEqual({ include_usage: true });
    }
    const r = await row(requestId);
    expect(r).toMatchObject({
      endpoint: "v1",
      stream: true,
      status: "success",
      prompt_tokens: c.usage.prompt,
    });
    expect(r.total_cost.replace(/0+$/, "")).toBe(c.cost.total);
    expect(r.ttft_ms).not.toBeNull();
  });

  it("lists the catalog in OpenAI's format on /v1/models", async () => {
    const res = await call(`${f.t.url}/v1/models`, { key: f.user.key });
    expect(res.body.object).toBe("list");
    const ids = res.body.data.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(CASES.map((c) => `${c.provider}/${c.model}`)));
  });
});
