import { request as httpRequest } from "node:http";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, readSse, startChatFixture } from "./chat-harness";
import { call } from "./harness";

/**
 * A hostile or broken upstream cannot make a replica hold more than the caps allow: each cap ends
 * the call with a provider error and a usage row. Small caps through the environment keep it quick.
 */

const MAX_RESPONSE = 64 * 1024;
const MAX_STREAM = 1024 * 1024;
const BIG_DELTA = "tick ".repeat(200);
const STREAM_DEADLINE_MS = 2_000;

describe.each(testBackends())("upstream limits on %s", (backend) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(backend, {
      LLMG_PROVIDER_MAX_RETRIES: "0",
      LLMG_PROVIDER_MAX_RESPONSE_BYTES: String(MAX_RESPONSE),
      LLMG_PROVIDER_MAX_STREAM_BYTES: String(MAX_STREAM),
      LLMG_PROVIDER_STREAM_TIMEOUT_MS: String(STREAM_DEADLINE_MS),
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  const row = (id: string) => waitForRow(f, id);

  const ask = () =>
    call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] },
    });

  const v1 = (stream: boolean) =>
    fetch(`${f.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "go" }], stream }),
    });

  it("/api: a body past LLMG_PROVIDER_MAX_RESPONSE_BYTES is a 502 with a usage row", async () => {
    f.fakes.openai.enqueue({ type: "hugeBody" });
    const res = await ask();
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ success: false, error: "provider_error" });
    expect(res.body.message).toContain(`response body exceeded ${MAX_RESPONSE} bytes`);
    expect(await row(res.body.request_id)).toMatchObject({
      status: "error",
      http_status: 502,
      error_code: "provider_error",
      stream: false,
    });
  });

  it("/api: an endless error body keeps the provider's status and is read only in part", async () => {
    f.fakes.openai.enqueue({ type: "hugeBody", status: 503 });
    const res = await ask();
    expect(res.status).toBe(503);
    expect(res.body.error).toBe("provider_error");
    expect(res.body.message.length).toBeLessThan(400);
    expect(await row(res.body.request_id)).toMatchObject({ status: "error", http_status: 503 });
  });

  it("/v1: a body past the cap is a 502 in OpenAI's error shape with a usage row", async () => {
    f.fakes.openai.enqueue({ type: "hugeBody" });
    const res = await v1(false);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { message: string; code: string } };
    expect(body.error.message).toContain(`exceeded ${MAX_RESPONSE} bytes`);
    const requestId = res.headers.get("x-llmg-request-id")!;
    expect(await row(requestId)).toMatchObject({ status: "error", http_status: 502, endpoint: "v1" });
  });

  it("/v1 stream: a first line that never ends stops at the cap with a 502 and a usage row", async () => {
    f.fakes.openai.enqueue({ type: "hugeLine" });
    const res = await v1(true);
    // Nothing was streamed yet, so the status can still say it.
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain(`stream event exceeded ${MAX_RESPONSE} characters`);
    const r = await row(res.headers.get("x-llmg-request-id")!);
    expect(r).toMatchObject({
      status: "error",
      http_status: 502,
      error_code: "provider_error",
      stream: true,
    });
  });

  it("/v1 stream: an endless stream stops at LLMG_PROVIDER_MAX_STREAM_BYTES and is charged what it sent", async () => {
    f.fakes.openai.enqueue({ type: "endlessStream", text: BIG_DELTA });
    const res = await v1(true);
    const events = (await readSse(res)) as { error?: { code: string; message: string } }[];
    expect(events.length).toBeGreaterThan(MAX_STREAM / BIG_DELTA.length / 2);
    expect(events.at(-1)?.error?.message).toContain(`stream exceeded ${MAX_STREAM} bytes`);
    const r = await row(res.headers.get("x-llmg-request-id")!);
    expect(r).toMatchObject({ status: "error", http_status: 502, usage_estimated: true });
    expect(r.completion_tokens).toBeGreaterThanOrEqual(events.length - 2);
    expect(Number(r.total_cost)).toBeGreaterThan(0);
  });

  it("/v1 stream: a steady stream ends at LLMG_PROVIDER_STREAM_TIMEOUT_MS with 504 and its usage", async () => {
    f.fakes.openai.enqueue({ type: "endlessStream", text: "tick", chunkDelayMs: 20 });
    const res = await v1(true);
    const events = (await readSse(res)) as { error?: { code: string; message: string } }[];
    expect(events.at(-1)?.error).toMatchObject({ code: "provider_timeout" });
    expect(events.at(-1)?.error?.message).toContain(`stream did not end within ${STREAM_DEADLINE_MS} ms`);
    const r = await row(res.headers.get("x-llmg-request-id")!);
    expect(r).toMatchObject({ status: "error", http_status: 504, error_code: "provider_timeout" });
    expect(r.completion_tokens).toBeGreaterThan(0);
  });
});

describe.each(testBackends())("a client that stops reading, on %s", (backend) => {
  let f: ChatFixture;
  beforeAll(async () => {
    // The default stream cap (256 MiB): only backpressure keeps the gateway from reading on.
    f = await startChatFixture(backend, { LLMG_PROVIDER_STREAM_TIMEOUT_MS: String(STREAM_DEADLINE_MS) });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("holds back the upstream and is cut at the stream deadline, its usage recorded as 499", async () => {
    const fake = f.fakes.openai;
    fake.enqueue({ type: "endlessStream", text: "tick ".repeat(2000) });
    const client = await new Promise<{ requestId: string; resume: () => Promise<number> }>(
      (resolve, reject) => {
        const req = httpRequest(`${f.t.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
        });
        req.on("error", reject);
        req.on("response", (res) => {
          // Not a byte is read: the socket fills up and stays full.
          res.pause();
          let bytes = 0;
          const resume = () =>
            new Promise<number>((done) => {
              res.on("data", (chunk: Buffer) => {
                bytes += chunk.length;
              });
              res.once("close", () => done(bytes));
              res.once("error", () => done(bytes));
              res.resume();
            });
          resolve({ requestId: String(res.headers["x-llmg-request-id"]), resume });
        });
        req.end(
          JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "go" }], stream: true }),
        );
      },
    );
    const r = await waitForRow(f, client.requestId);
    // Without backpressure the gateway would have read on and queued everything for the client.
    expect(r).toMatchObject({ status: "error", http_status: 499, error_code: "client_closed", stream: true });
    expect(r.error_message).toContain("stopped reading");
    expect(r.completion_tokens).toBeGreaterThan(0);
    expect(r.latency_ms).toBeGreaterThanOrEqual(STREAM_DEADLINE_MS - 100);
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
    // What reached the client is what the socket buffers held when it stopped reading, then the
    // connection was dropped (no closing events).
    const received = await client.resume();
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(32 * 1024 * 1024);
  });
});

async function waitForRow(f: ChatFixture, id: string) {
  // A row is committed before the answer, except for a client that left (written as it goes).
  for (let i = 0; i < 100; i++) {
    const found = await f.t.database.db
      .selectFrom("requests")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (found) return found;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`no usage row for ${id}`);
}
