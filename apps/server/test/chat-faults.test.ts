import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, readSse, startChatFixture } from "./chat-harness";
import { call } from "./harness";

const backend = testBackends()[0]!; // the real PostgreSQL when it answers

describe(`chat faults on ${backend}`, () => {
  let f: ChatFixture;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    f = await startChatFixture(backend);
  });
  afterAll(async () => {
    await f?.close();
    process.off("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
  });

  const ask = (provider = "openai", model = "gpt-4o-mini") =>
    call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: { provider, model, messages: [{ role: "user", content: "Hi" }] },
    });

  async function row(id: string) {
    return f.t.database.db.selectFrom("requests").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  }

  function expectNoStack(body: unknown) {
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/\.ts:\d+|at async|node_modules/);
    expect(text).not.toContain("test-provider-key");
  }

  it("retries a provider 500 and succeeds", async () => {
    const fake = f.fakes.openai;
    const before = fake.requests.length;
    fake.enqueue({ type: "error", status: 500, message: "boom" }, { type: "success", content: "recovered" });
    const res = await ask();
    expect(res.status).toBe(200);
    expect(res.body.content).toBe("recovered");
    expect(fake.requests.length - before).toBe(2);
    expect((await row(res.body.request_id)).status).toBe("success");
  });

  it("honours retry-after on 429, and passes a persistent 429 on with retry_after", async () => {
    const fake = f.fakes.anthropic;
    fake.enqueue({ type: "error", status: 429, retryAfter: 0 }, { type: "success", content: "after wait" });
    expect((await ask("anthropic", "claude-sonnet-4-5")).body.content).toBe("after wait");

    fake.enqueue(
      { type: "error", status: 429, retryAfter: 120, message: "slow down" },
      { type: "error", status: 429, retryAfter: 120 },
      { type: "error", status: 429, retryAfter: 120 },
    );
    const res = await ask("anthropic", "claude-sonnet-4-5");
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ success: false, error: "provider_error", retry_after: 120 });
    expect(res.headers.get("retry-after")).toBe("120");
    expectNoStack(res.body);
    const r = await row(res.body.request_id);
    expect(r).toMatchObject({
      status: "error",
      http_status: 429,
      error_code: "provider_error",
      total_cost: "0",
    });
    fake.reset();
  });

  it("answers a provider timeout with 504 provider_timeout and records it", async () => {
    f.fakes.google.enqueue(
      { type: "delay", ms: 4000 },
      { type: "delay", ms: 4000 },
      { type: "delay", ms: 4000 },
    );
    const res = await ask("google", "gemini-2.5-flash");
    expect(res.status).toBe(504);
    expect(res.body.error).toBe("provider_timeout");
    expectNoStack(res.body);
    expect(await row(res.body.request_id)).toMatchObject({
      status: "error",
      http_status: 504,
      error_code: "provider_timeout",
    });
    f.fakes.google.reset();
  });

  it("answers malformed provider JSON with 502 provider_error", async () => {
    f.fakes.mistral.enqueue({ type: "malformed" }, { type: "malformed" }, { type: "malformed" });
    const res = await ask("mistral", "mistral-large-latest");
    expect(res.status).toBe(502);
    expect(res.body.error).toBe("provider_error");
    expectNoStack(res.body);
    expect(await row(res.body.request_id)).toMatchObject({ status: "error", http_status: 502 });
    f.fakes.mistral.reset();
  });

  it("passes the provider's auth failure on with its status and without the key", async () => {
    f.fakes.deepseek.enqueue({
      type: "error",
      status: 401,
      message: "Authentication Fails (invalid key test-provider-key-0123456789)",
    });
    const res = await ask("deepseek", "deepseek-chat");
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("provider_error");
    expectNoStack(res.body);
  });

  it("ends a stream whose connection resets with an error event and records the partial usage", async () => {
    f.fakes.openai.enqueue({ type: "reset", chunks: ["one ", "two ", "three ", "four"], afterChunks: 2 });
    const res = await fetch(`${f.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "count" }],
        stream: true,
      }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-llmg-request-id")!;
    const events = (await readSse(res)) as any[];
    const last = events.at(-1);
    expect(last.error).toMatchObject({ code: "provider_error" });
    expectNoStack(last);
    const r = await row(requestId);
    expect(r).toMatchObject({ status: "error", stream: true, usage_estimated: true });
    expect(r.completion_tokens).toBeGreaterThan(0);
    expect(Number(r.total_cost)).toBeGreaterThan(0);
  });

  it("records the partial usage of a client that disconnects mid-stream", async () => {
    f.fakes.openai.enqueue({ type: "stream", chunks: ["a ", "b ", "c ", "d ", "e"], chunkDelayMs: 150 });
    const controller = new AbortController();
    const res = await fetch(`${f.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "go" }],
        stream: true,
      }),
      signal: controller.signal,
    });
    const requestId = res.headers.get("x-llmg-request-id")!;
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    let r: Awaited<ReturnType<typeof row>> | undefined;
    for (let i = 0; i < 50 && !r; i++) {
      r = await f.t.database.db
        .selectFrom("requests")
        .selectAll()
        .where("id", "=", requestId)
        .executeTakeFirst();
      if (!r) await new Promise((done) => setTimeout(done, 100));
    }
    expect(r).toMatchObject({
      status: "error",
      http_status: 499,
      error_code: "client_closed",
      usage_estimated: true,
    });
    expect(r!.prompt_tokens).toBeGreaterThan(0);
  });

  it("refuses unknown models and providers without a credential with 400", async () => {
    const unknown = await ask("openai", "gpt-does-not-exist");
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].field).toBe("model");

    const other = await call(`${f.t.url}/api/admin/users`, {
      key: f.t.adminKey,
      body: { email: "nocred@example.com" },
    });
    const key = await call(`${f.t.url}/api/admin/users/${other.body.data.id}/keys`, {
      key: f.t.adminKey,
      body: {},
    });
    const res = await call(`${f.t.url}/api/chat/completions`, {
      key: key.body.data.key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("credential_missing");
    const bad = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [], temperature: 9 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(["messages", "temperature"]),
    );
  });

  it("answers /v1 errors in OpenAI's shape", async () => {
    const res = await call(`${f.t.url}/v1/chat/completions`, {
      key: "llmg_nope",
      body: { model: "gpt-4o-mini", messages: [] },
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ type: "authentication_error", code: "unauthorized" });
    const bad = await call(`${f.t.url}/v1/chat/completions`, {
      key: f.user.key,
      body: { model: "nope", messages: [{ role: "user", content: "x" }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: "invalid_request_error", param: "model" });
  });
});
