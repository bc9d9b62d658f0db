import { request as httpRequest } from "node:http";
import { type ChatChunk, LlmgStreamError, streamChat } from "@llmg/client";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, FAKE_KEY, readSse, startChatFixture } from "./chat-harness";
import { call, createUserWithKey } from "./harness";

const kind = testBackends()[0]!;

/** POST /api/chat/completions with `stream: true` (unless the body says otherwise). */
function post(
  f: ChatFixture,
  body: Record<string, unknown>,
  init: { key?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
) {
  return fetch(`${f.t.url}/api/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${init.key ?? f.user.key}`,
      "content-type": "application/json",
      ...init.headers,
    },
    body: JSON.stringify({ stream: true, ...body }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

/** The same call on a bare node request, whose response exposes the HTTP trailers fetch hides. */
function postForTrailers(f: ChatFixture, body: Record<string, unknown>) {
  return new Promise<{ status: number; text: string; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
    const text = JSON.stringify({ stream: true, ...body });
    const req = httpRequest(
      `${f.t.url}/api/chat/completions`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      },
      (res) => {
        let answer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          answer += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: answer, trailers: res.trailers }));
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

const hello = {
  provider: "openai",
  model: "gpt-4o-mini",
  messages: [{ role: "user" as const, content: "Hello" }],
};

describe(`POST /api/chat/completions with stream: true (${kind})`, () => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_PROVIDER_MAX_RETRIES: "0" });
  });
  afterAll(async () => {
    await f?.close();
  });

  const row = (id: string) =>
    f.t.database.db.selectFrom("requests").selectAll().where("id", "=", id).executeTakeFirst();

  async function rowSoon(id: string) {
    for (let i = 0; i < 50; i++) {
      const r = await row(id);
      if (r) return r;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`no usage row for ${id}`);
  }

  it("streams OpenAI chunks, always ends with a usage chunk carrying the exact cost, and records the call", async () => {
    // 800 × 0.00000015 + 200 cached × 0.000000075 = 0.000135; 500 × 0.0000006 = 0.0003
    f.fakes.openai.enqueue({
      type: "stream",
      chunks: ["Hel", "lo", " world"],
      usage: { prompt: 1000, completion: 500, cachedRead: 200 },
    });
    const res = await post(
      f,
      { ...hello, metadata: { team: "search" } },
      { headers: { "user-agent": "surface/1" } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("trailer")).toBe("x-llmg-cost-usd");
    // Nothing was changed on the way to OpenAI: no adjusted-params header at all.
    expect(res.headers.get("x-llmg-adjusted-params")).toBeNull();
    const requestId = res.headers.get("x-llmg-request-id")!;
    const events = (await readSse(res)) as any[];
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1);
    expect(chunks.every((e) => e.object === "chat.completion.chunk" && e.model === "gpt-4o-mini")).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.map((e) => e.choices[0]?.delta?.content ?? "").join("")).toBe("Hello world");
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 1000,
        completion_tokens: 500,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 200 },
        cost_usd: "0.000435",
      },
    });
    // The upstream call was a stream too (OpenAI is asked for its usage).
    expect(f.fakes.openai.requests.at(-1)!.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    const r = await rowSoon(requestId);
    expect(r).toMatchObject({
      endpoint: "api",
      stream: true,
      status: "success",
      prompt_tokens: 1000,
      completion_tokens: 500,
      metadata: { team: "search" },
      user_agent: "surface/1",
    });
    expect(r.total_cost.replace(/0+$/, "")).toBe("0.000435");
  });

  it("applies the user's rate limit: admission headers at the start, then a 429 envelope", async () => {
    const limited = await createUserWithKey(f.t, { rate_limit_rpm: 1 });
    const credential = await call(`${f.t.url}/api/credentials`, {
      key: limited.key,
      body: { provider: "openai", name: "fake", api_key: FAKE_KEY },
    });
    expect(credential.status).toBe(201);
    f.fakes.openai.enqueue({ type: "stream", chunks: ["a"], usage: { prompt: 1, completion: 1 } });
    const first = await post(f, hello, { key: limited.key });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit-requests")).toBe("1");
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    await readSse(first);
    const second = await post(f, hello, { key: limited.key });
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).not.toBeNull();
    expect(await second.json()).toMatchObject({ success: false, error: "rate_limit_exceeded" });
  });

  it("sends the exact cost as the x-llmg-cost-usd trailer and takes metadata from the header", async () => {
    f.fakes.openai.enqueue({ type: "stream", chunks: ["a"], usage: { prompt: 10, completion: 20 } });
    const res = await postForTrailers(f, hello);
    expect(res.status).toBe(200);
    // 10 × 0.00000015 + 20 × 0.0000006 = 0.0000135
    expect(res.trailers["x-llmg-cost-usd"]).toBe("0.0000135");

    f.fakes.openai.enqueue({ type: "stream", chunks: ["a"], usage: { prompt: 10, completion: 20 } });
    const tagged = await post(f, hello, { headers: { "x-llmg-metadata": '{"job":"nightly"}' } });
    await readSse(tagged);
    expect((await rowSoon(tagged.headers.get("x-llmg-request-id")!)).metadata).toEqual({ job: "nightly" });
  });

  it("names the fields it changed in x-llmg-adjusted-params at the start of the stream", async () => {
    // Anthropic's Messages API has no seed: the adapter drops it (not in its `fields`) and says so.
    f.fakes.anthropic.enqueue({ type: "stream", chunks: ["ok"], usage: { prompt: 5, completion: 1 } });
    const res = await post(f, {
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "hi" }],
      seed: 7,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmg-adjusted-params")).toBe("seed=dropped");
    expect(f.fakes.anthropic.requests.at(-1)!.body).not.toHaveProperty("seed");
    await readSse(res);
  });

  it("checks the key before the body, and answers errors before the stream in the JSON envelope", async () => {
    const noKey = await post(f, { messages: "not even valid" }, { key: "llmg_wrong" });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await noKey.json()).toMatchObject({ success: false, error: "unauthorized" });

    const admin = await post(f, hello, { key: f.t.adminKey });
    expect(admin.status).toBe(403);
    expect(await admin.json()).toMatchObject({ success: false, error: "forbidden" });

    const invalid = await post(f, { ...hello, temperature: 7 });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as any;
    expect(body).toMatchObject({ success: false, error: "validation_error" });
    expect(body.details[0].field).toBe("temperature");
    expect(body.request_id).toBe(invalid.headers.get("x-llmg-request-id"));

    const unknown = await post(f, { ...hello, model: "gpt-does-not-exist" });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as any).details[0].field).toBe("model");

    f.fakes.openai.enqueue({ type: "error", status: 429, message: "Slow down", retryAfter: 3 });
    const limited = await post(f, hello);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("content-type")).toMatch(/^application\/json/);
    const limitedBody = (await limited.json()) as any;
    expect(limitedBody).toMatchObject({ success: false, error: "provider_error" });
    expect(await rowSoon(limitedBody.request_id)).toMatchObject({
      endpoint: "api",
      stream: true,
      status: "error",
      http_status: 429,
    });
  });

  it("ends a stream that fails midway with an SSE event holding the envelope, and bills what was streamed", async () => {
    f.fakes.openai.enqueue({ type: "reset", chunks: ["one ", "two ", "three ", "four"], afterChunks: 2 });
    const res = await post(f, hello);
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-llmg-request-id")!;
    const events = (await readSse(res)) as any[];
    expect(events).not.toContain("[DONE]");
    const last = events.at(-1);
    expect(last).toMatchObject({ success: false, error: "provider_error", request_id: requestId });
    expect(typeof last.message).toBe("string");
    const r = await rowSoon(requestId);
    expect(r).toMatchObject({ endpoint: "api", status: "error", stream: true, usage_estimated: true });
    expect(r.completion_tokens).toBeGreaterThan(0);
    expect(Number(r.total_cost)).toBeGreaterThan(0);
  });

  it("bills the partial usage of a client that leaves mid-stream", async () => {
    f.fakes.openai.enqueue({ type: "stream", chunks: ["a ", "b ", "c ", "d ", "e"], chunkDelayMs: 150 });
    const controller = new AbortController();
    const res = await post(f, hello, { signal: controller.signal });
    const requestId = res.headers.get("x-llmg-request-id")!;
    await res.body!.getReader().read();
    controller.abort();
    const r = await rowSoon(requestId);
    expect(r).toMatchObject({
      endpoint: "api",
      status: "error",
      http_status: 499,
      error_code: "client_closed",
      usage_estimated: true,
    });
    expect(r.prompt_tokens).toBeGreaterThan(0);
  });

  it("streams through the client package's streamChat, and throws its errors typed", async () => {
    f.fakes.openai.enqueue({
      type: "stream",
      chunks: ["Hi", " there"],
      usage: { prompt: 10, completion: 20 },
    });
    const options = { baseUrl: f.t.url, apiKey: f.user.key };
    const chunks: ChatChunk[] = [];
    for await (const chunk of streamChat(options, {
      provider: "openai",
      model: "gpt-4o-mini",
      messages: hello.messages,
    }))
      chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hi there");
    // 10 × 0.00000015 + 20 × 0.0000006
    expect(chunks.at(-1)?.usage?.cost_usd).toBe("0.0000135");

    const refused = streamChat(
      { ...options, apiKey: "llmg_wrong" },
      { provider: "openai", model: "gpt-4o-mini", messages: hello.messages },
    );
    await expect(refused.next()).rejects.toMatchObject({
      name: "LlmgStreamError",
      status: 401,
      code: "unauthorized",
    });

    f.fakes.openai.enqueue({ type: "reset", chunks: ["one ", "two ", "three"], afterChunks: 2 });
    const broken = streamChat(options, {
      provider: "openai",
      model: "gpt-4o-mini",
      messages: hello.messages,
    });
    const failure = (async () => {
      for await (const _ of broken);
    })();
    await expect(failure).rejects.toBeInstanceOf(LlmgStreamError);
    await expect(failure).rejects.toMatchObject({ code: "provider_error" });
  });

  it("leaves stream: false answering JSON, and refuses stream: true over tRPC with a 400", async () => {
    const json = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: { ...hello, stream: false },
    });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ success: true, role: "assistant" });

    const trpc = await call(`${f.t.url}/trpc/chat.completions`, {
      key: f.user.key,
      body: { ...hello, stream: true },
    });
    expect(trpc.status).toBe(400);
    expect(trpc.body.error.data).toMatchObject({ error: "validation_error", details: [{ field: "stream" }] });
  });

  it("documents the stream and the adjusted-params header in the OpenAPI description", async () => {
    const doc = (await call(`${f.t.url}/openapi.json`)).body;
    const operation = doc.paths["/chat/completions"].post;
    expect(operation.description).toContain("text/event-stream");
    expect(operation.description).toContain("x-llmg-adjusted-params");
    expect(operation.requestBody.content["application/json"].schema.properties.stream.type).toBe("boolean");
  });
});
