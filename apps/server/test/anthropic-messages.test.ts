import Anthropic from "@anthropic-ai/sdk";
import type { DbKind } from "@llmg/db";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, FAKE_KEY, startChatFixture } from "./chat-harness";
import { call, createUserWithKey } from "./harness";

/**
 * The Anthropic Messages API at /anthropic, driven by the official @anthropic-ai/sdk against the
 * fake Anthropic server: bodies and answers pass through unchanged, each call is priced from
 * Anthropic's usage and recorded, and errors come in Anthropic's shape.
 */

const SONNET = "claude-sonnet-4-6";

/** Anthropic's usage object as the real API reports it (anthropic-sdk-typescript Usage). */
const cachedUsage = {
  input_tokens: 100,
  cache_creation_input_tokens: 2000,
  cache_read_input_tokens: 500,
  cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 0 },
  output_tokens: 50,
  service_tier: "standard",
};
// claude-sonnet-4-6: 100 × 0.000003 + 500 read × 0.0000003 + 2000 written × 0.00000375
// = 0.0003 + 0.00015 + 0.0075 = 0.00795; 50 × 0.000015 = 0.00075.
const CACHED_COST = { prompt: "0.00795", completion: "0.00075", total: "0.0087" };

const longSystem = [
  { type: "text", text: "You are a careful assistant. ".repeat(50), cache_control: { type: "ephemeral" } },
] as const;

function rowOf(f: ChatFixture, id: string) {
  return f.t.database.db.selectFrom("requests").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

/** Waits for the row of a call whose answer did not wait for it (a client that left). */
async function rowEventually(f: ChatFixture, id: string) {
  for (let i = 0; i < 100; i += 1) {
    const row = await f.t.database.db
      .selectFrom("requests")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no row ${id}`);
}

type SdkError = InstanceType<typeof Anthropic.APIError>;

/** The error a call of the SDK fails with (the test fails if it succeeds). */
async function failure(promise: PromiseLike<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("the call succeeded");
}

const lastBody = (f: ChatFixture) => f.fakes.anthropic.requests.at(-1)?.body as Record<string, unknown>;

/** A user of its own (limits under test), with an Anthropic credential for the fake. */
async function limitedUser(f: ChatFixture, limits: Record<string, unknown>) {
  const user = await createUserWithKey(f.t, limits);
  const res = await call(`${f.t.url}/api/credentials`, {
    key: user.key,
    body: { provider: "anthropic", name: "fake", api_key: FAKE_KEY },
  });
  expect(res.status).toBe(201);
  return user;
}

async function pricedCallAndRow(f: ChatFixture, client: Anthropic) {
  f.fakes.anthropic.enqueue({ type: "success", content: "Bonjour", rawUsage: cachedUsage });
  const { data, response } = await client.messages
    .create({
      model: SONNET,
      max_tokens: 64,
      system: [...longSystem],
      messages: [{ role: "user", content: "Say hi in French" }],
    })
    .withResponse();
  expect(data.type).toBe("message");
  expect(data.content).toEqual([{ type: "text", text: "Bonjour" }]);
  // Anthropic's usage, unchanged (cache_creation's 5m/1h split included).
  expect(data.usage).toEqual(cachedUsage);
  expect(response.headers.get("x-llmg-cost-usd")).toBe(CACHED_COST.total);
  const requestId = response.headers.get("request-id")!;
  expect(requestId).toMatch(/^req_/);
  const row = await rowOf(f, requestId);
  expect(row).toMatchObject({
    endpoint: "anthropic",
    provider: "anthropic",
    model: SONNET,
    stream: false,
    status: "success",
    http_status: 200,
    prompt_tokens: 2600,
    completion_tokens: 50,
    cached_tokens: 500,
    cache_write_tokens: 2000,
    usage_estimated: false,
  });
  expect([row.prompt_cost, row.completion_cost, row.total_cost].map(Number)).toEqual(
    [CACHED_COST.prompt, CACHED_COST.completion, CACHED_COST.total].map(Number),
  );
  expect(String(row.total_cost)).toMatch(/^0\.00870*$/);
  // The body went upstream as the client wrote it, with the user's Anthropic key, not the llmg key.
  const upstream = f.fakes.anthropic.requests.at(-1)!;
  expect(upstream.path).toBe("/v1/messages");
  expect(upstream.headers["x-api-key"]).toBe(FAKE_KEY);
  expect(upstream.body).toEqual({
    model: SONNET,
    max_tokens: 64,
    system: longSystem,
    messages: [{ role: "user", content: "Say hi in French" }],
  });
}

const [first, ...others] = testBackends() as [DbKind, ...DbKind[]];

describe(`/anthropic with the official SDK on ${first}${first === "postgres" ? " + Redis" : ""}`, () => {
  let f: ChatFixture;
  let client: Anthropic;
  const sdk = (apiKey: string) => new Anthropic({ baseURL: `${f.t.url}/anthropic`, apiKey, maxRetries: 0 });
  beforeAll(async () => {
    f = await startChatFixture(first, {}, { redis: first === "postgres" });
    client = sdk(f.user.key);
  });
  afterAll(async () => {
    await f?.close();
  });

  it("answers a message as Anthropic does, priced exactly with cache writes and reads, and recorded", async () => {
    await pricedCallAndRow(f, client);
  });

  it("takes the key as x-api-key and as Authorization: Bearer", async () => {
    const keyHeaders: Record<string, string>[] = [
      { "x-api-key": f.user.key },
      { authorization: `Bearer ${f.user.key}` },
    ];
    for (const headers of keyHeaders) {
      const res = await call(`${f.t.url}/anthropic/v1/messages`, {
        headers: { ...headers, "anthropic-version": "2023-06-01" },
        body: { model: SONNET, max_tokens: 16, messages: [{ role: "user", content: "Hi" }] },
      });
      expect(res.status).toBe(200);
      expect(res.body.type).toBe("message");
    }
    const viaToken = new Anthropic({ baseURL: `${f.t.url}/anthropic`, authToken: f.user.key, maxRetries: 0 });
    const message = await viaToken.messages.create({
      model: SONNET,
      max_tokens: 16,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(message.role).toBe("assistant");
  });

  it("streams Anthropic's events unchanged and records the streamed call's exact cost", async () => {
    f.fakes.anthropic.enqueue({ type: "stream", chunks: ["Why", " not", "?"], rawUsage: cachedUsage });
    const stream = client.messages.stream({
      model: SONNET,
      max_tokens: 64,
      system: [...longSystem],
      messages: [{ role: "user", content: "Question?" }],
    });
    const deltas: string[] = [];
    stream.on("text", (text) => deltas.push(text));
    const message = await stream.finalMessage();
    expect(deltas).toEqual(["Why", " not", "?"]);
    expect(message.content).toEqual([{ type: "text", text: "Why not?" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBe(50);
    expect(message.usage.cache_creation_input_tokens).toBe(2000);
    const { response } = await stream.withResponse();
    const row = await rowOf(f, response.headers.get("request-id")!);
    expect(row).toMatchObject({
      endpoint: "anthropic",
      stream: true,
      status: "success",
      cache_write_tokens: 2000,
    });
    expect(Number(row.total_cost)).toBe(Number(CACHED_COST.total));
    expect(lastBody(f)).toMatchObject({ stream: true, system: longSystem });
  });

  it("passes the SSE frames through byte for byte (event names and data) and prices the stream", async () => {
    f.fakes.anthropic.enqueue({ type: "stream", chunks: ["a", "b"], usage: { prompt: 10, completion: 2 } });
    const res = await fetch(`${f.t.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": f.user.key, "content-type": "application/json" },
      body: JSON.stringify({
        model: SONNET,
        max_tokens: 16,
        stream: true,
        messages: [{ role: "user", content: "Hi" }],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = text
      .trim()
      .split("\n\n")
      .map((block) => block.split("\n")[0]);
    expect(events).toEqual([
      "event: message_start",
      "event: content_block_start",
      "event: ping",
      "event: content_block_delta",
      "event: content_block_delta",
      "event: content_block_stop",
      "event: message_delta",
      "event: message_stop",
    ]);
    expect(text).toContain(
      'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"b"}}',
    );
    // 10 × 0.000003 + 2 × 0.000015
    const row = await rowOf(f, res.headers.get("request-id")!);
    expect(Number(row.total_cost)).toBe(0.00006);
  });

  it("runs a tool loop: tool_use comes back as Anthropic's block and its tool_result is accepted", async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: "get_weather",
        description: "Weather of a city",
        input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        cache_control: { type: "ephemeral" },
      },
    ];
    f.fakes.anthropic.enqueue({
      type: "success",
      toolCalls: [{ id: "toolu_01abc", name: "get_weather", arguments: { city: "Paris" } }],
    });
    const first = await client.messages.create({
      model: SONNET,
      max_tokens: 128,
      tools,
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((block) => block.type === "tool_use");
    expect(use).toMatchObject({
      type: "tool_use",
      id: "toolu_01abc",
      name: "get_weather",
      input: { city: "Paris" },
    });
    expect(lastBody(f).tools).toEqual(tools);
    f.fakes.anthropic.enqueue({ type: "success", content: "Sunny in Paris." });
    const second = await client.messages.create({
      model: SONNET,
      max_tokens: 128,
      tools,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01abc", content: "sunny" }] },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: "Sunny in Paris." }]);
  });

  it("keeps thinking blocks and their signatures intact through a tool loop, and records thinking tokens", async () => {
    const tools: Anthropic.Tool[] = [{ name: "lookup", input_schema: { type: "object", properties: {} } }];
    f.fakes.anthropic.enqueue({
      type: "success",
      toolCalls: [{ id: "toolu_think1", name: "lookup", arguments: {} }],
      usage: { prompt: 40, completion: 30, reasoning: 20 },
    });
    const { data: first, response } = await client.messages
      .create({
        model: SONNET,
        max_tokens: 2048,
        thinking: { type: "enabled", budget_tokens: 1024 },
        tools,
        messages: [{ role: "user", content: "Look it up" }],
      })
      .withResponse();
    expect(first.content[0]).toMatchObject({ type: "thinking" });
    const row = await rowOf(f, response.headers.get("request-id")!);
    expect(row).toMatchObject({ reasoning_tokens: 20, completion_tokens: 30 });
    // The fake checks the signature of every thinking block sent back (a changed one is a 400).
    f.fakes.anthropic.enqueue({ type: "success", content: "Found it." });
    const second = await client.messages.create({
      model: SONNET,
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      tools,
      messages: [
        { role: "user", content: "Look it up" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_think1", content: "42" }] },
      ],
    });
    expect(second.content.at(-1)).toEqual({ type: "text", text: "Found it." });
    const sent = (lastBody(f).messages as { content: unknown }[])[1]!.content;
    expect(sent).toEqual(JSON.parse(JSON.stringify(first.content)));
  });

  it("forwards images, documents and the anthropic-beta header unchanged", async () => {
    const png = Buffer.from("89504e470d0a1a0a", "hex").toString("base64");
    const pdf = Buffer.from("%PDF-1.4 fake").toString("base64");
    const content: Anthropic.ContentBlockParam[] = [
      { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
      {
        type: "document",
        source: { type: "base64", media_type: "application/pdf", data: pdf },
        title: "Spec",
      },
      { type: "text", text: "Describe both." },
    ];
    await client.messages.create(
      { model: SONNET, max_tokens: 32, messages: [{ role: "user", content }] },
      { headers: { "anthropic-beta": "extended-cache-ttl-2025-04-11" } },
    );
    const upstream = f.fakes.anthropic.requests.at(-1)!;
    expect((upstream.body as { messages: unknown[] }).messages).toEqual([{ role: "user", content }]);
    expect(upstream.headers["anthropic-beta"]).toBe("extended-cache-ttl-2025-04-11");
  });

  it("serves the SDK's beta messages (Claude Code's path), its betas forwarded as anthropic-beta", async () => {
    f.fakes.anthropic.enqueue({ type: "success", content: "Beta hi" });
    const message = await client.beta.messages.create({
      model: SONNET,
      max_tokens: 16,
      betas: ["extended-cache-ttl-2025-04-11"],
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "Beta hi" }]);
    const upstream = f.fakes.anthropic.requests.at(-1)!;
    expect(upstream.path).toBe("/v1/messages");
    expect(upstream.headers["anthropic-beta"]).toBe("extended-cache-ttl-2025-04-11");
    expect(upstream.body).not.toHaveProperty("betas");
  });

  it("counts tokens with Anthropic's count, recording and charging nothing", async () => {
    const before = await f.t.database.db
      .selectFrom("requests")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Count me" }];
    const counted = await client.messages.countTokens({ model: SONNET, messages });
    expect(counted).toEqual({ input_tokens: Math.ceil(JSON.stringify([null, messages, null]).length / 4) });
    expect(f.fakes.anthropic.requests.at(-1)!.path).toBe("/v1/messages/count_tokens");
    const after = await f.t.database.db
      .selectFrom("requests")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("lists the Anthropic models of the catalog in Anthropic's page shape", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain(SONNET);
    expect(ids).not.toContain("gpt-4o-mini");
    const one = await client.models.retrieve(SONNET);
    expect(one).toMatchObject({ type: "model", id: SONNET });
    await expect(client.models.retrieve("gpt-4o-mini")).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it("refuses another provider's model in Anthropic's error shape, without calling anyone", async () => {
    const calls = f.fakes.openai.requests.length;
    const res = await call(`${f.t.url}/anthropic/v1/messages`, {
      headers: { "x-api-key": f.user.key },
      body: { model: "gpt-4o-mini", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(res.body.error.message).toContain("Anthropic models only");
    expect(res.body.request_id).toMatch(/^req_/);
    expect(f.fakes.openai.requests.length).toBe(calls);
    await expect(
      client.messages.create({
        model: "gpt-4o-mini",
        max_tokens: 16,
        messages: [{ role: "user", content: "x" }],
      }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("answers bad input, bad keys and unknown routes in Anthropic's error shape", async () => {
    const post = (body: unknown, key = f.user.key) =>
      call(`${f.t.url}/anthropic/v1/messages`, { headers: { "x-api-key": key }, body });
    const noMax = await post({ model: SONNET, messages: [] });
    expect(noMax.status).toBe(400);
    expect(noMax.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(noMax.body.error.message).toContain("max_tokens");
    const malformed = await post("{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: "invalid_request_error" });
    const deep = await post(`${"[".repeat(5000)}${"]".repeat(5000)}`);
    expect(deep.status).toBe(400);
    const badKey = await post({ model: SONNET, max_tokens: 1, messages: [] }, "llmg_wrong");
    expect(badKey.status).toBe(401);
    expect(badKey.body.error.type).toBe("authentication_error");
    await expect(
      sdk("llmg_wrong").messages.create({ model: SONNET, max_tokens: 1, messages: [] }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const unknown = await call(`${f.t.url}/anthropic/v1/complete`, {
      headers: { "x-api-key": f.user.key },
      body: {},
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.type).toBe("not_found_error");
  });

  it("passes Anthropic's own refusal back as it came", async () => {
    // A tool name with a space: the fake refuses it as the real API does.
    const error = await failure(
      client.messages.create({
        model: SONNET,
        max_tokens: 16,
        tools: [{ name: "get weather", input_schema: { type: "object" } }],
        messages: [{ role: "user", content: "Hi" }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.type).toBe("invalid_request_error");
    expect(error.apiMessage).toBe("tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
  });

  it("refuses a call over budget with 402 billing_error (the SDK's PaymentRequiredError), reserving nothing", async () => {
    const poor = await limitedUser(f, { monthly_budget_usd: "0.000001" });
    const calls = f.fakes.anthropic.requests.length;
    const error = await failure(
      sdk(poor.key).messages.create({
        model: SONNET,
        max_tokens: 1000,
        messages: [{ role: "user", content: "Hi" }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.PaymentRequiredError);
    expect(error.status).toBe(402);
    expect(error.type).toBe("billing_error");
    expect(f.fakes.anthropic.requests.length).toBe(calls);
  });

  it("refuses a call over the rate limit with 429 rate_limit_error and retry-after", async () => {
    const busy = await limitedUser(f, { rate_limit_rpm: 1 });
    const limited = sdk(busy.key);
    await limited.messages.create({
      model: SONNET,
      max_tokens: 8,
      messages: [{ role: "user", content: "1" }],
    });
    const error = await failure(
      limited.messages.create({ model: SONNET, max_tokens: 8, messages: [{ role: "user", content: "2" }] }),
    );
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.type).toBe("rate_limit_error");
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
  });

  it("ends a stream Anthropic breaks off with Anthropic's error event, charging what was produced", async () => {
    f.fakes.anthropic.enqueue({
      type: "streamError",
      errorType: "overloaded_error",
      message: "Overloaded",
      chunks: ["Half", " an"],
    });
    const res = await fetch(`${f.t.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": f.user.key, "content-type": "application/json" },
      body: JSON.stringify({
        model: SONNET,
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: "Go" }],
      }),
    });
    expect(res.status).toBe(200);
    const blocks = (await res.text()).trim().split("\n\n");
    expect(blocks.filter((block) => block.includes("text_delta"))).toHaveLength(2);
    const last = blocks.at(-1)!.split("\n");
    expect(last[0]).toBe("event: error");
    expect(JSON.parse(last[1]!.slice("data: ".length))).toMatchObject({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
      request_id: res.headers.get("request-id"),
    });
    const row = await rowEventually(f, res.headers.get("request-id")!);
    expect(row).toMatchObject({ status: "error", http_status: 529, stream: true, usage_estimated: true });
    expect(row.prompt_tokens).toBe(12);
    expect(Number(row.total_cost)).toBeGreaterThan(0);
  });

  it("aborts upstream when the client leaves mid-stream, and still records what was produced", async () => {
    f.fakes.anthropic.enqueue({
      type: "stream",
      chunks: ["one", " two", " three", " four", " five"],
      chunkDelayMs: 200,
      usage: { prompt: 1000, completion: 5 },
    });
    const abort = new AbortController();
    const res = await fetch(`${f.t.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": f.user.key, "content-type": "application/json" },
      body: JSON.stringify({
        model: SONNET,
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: "Count" }],
      }),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("text_delta")) {
      const { value } = await reader.read();
      seen += Buffer.from(value!).toString("utf8");
    }
    abort.abort();
    const row = await rowEventually(f, res.headers.get("request-id")!);
    expect(row).toMatchObject({
      status: "error",
      error_code: "client_closed",
      http_status: 499,
      stream: true,
    });
    // message_start's input side is Anthropic's own count; the output is estimated from the text passed on.
    expect(row.prompt_tokens).toBe(1000);
    expect(row.usage_estimated).toBe(true);
    expect(Number(row.total_cost)).toBeGreaterThanOrEqual(0.003);
    await expect.poll(() => f.fakes.anthropic.requests.at(-1)!.aborted).toBe(true);
  });
});

describe.each(others)("/anthropic on %s, storing bodies", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_STORE_BODIES: "true" });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("prices and records a message exactly as on PostgreSQL, the native bodies as the row's bodies", async () => {
    const client = new Anthropic({ baseURL: `${f.t.url}/anthropic`, apiKey: f.user.key, maxRetries: 0 });
    await pricedCallAndRow(f, client);
    const row = await f.t.database.db
      .selectFrom("requests")
      .selectAll()
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
    expect(json(row.request_body)).toEqual(lastBody(f));
    expect(json(row.response_body)).toMatchObject({ type: "message", usage: cachedUsage });
  });
});
