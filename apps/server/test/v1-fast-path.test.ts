import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { loadConfig } from "@llmg/api";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { call } from "./harness";

const BODY = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], max_tokens: 8 };

/** A raw POST, so the test controls framing (chunked, no content-length) that fetch hides. */
function rawPost(url: string, headers: Record<string, string>, chunks: Buffer[]) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        const text = Buffer.concat(parts).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) });
      });
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

// The chat path skips express for plain JSON bodies (http/server.ts); these are the edges where
// it must still answer exactly as the express route did.
describe.each(testBackends())("/v1/chat/completions fast path on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_BODY_LIMIT: "4096" });
  });
  afterAll(async () => {
    await f?.close();
  });
  const url = () => `${f.t.url}/v1/chat/completions`;

  it("answers a chat call with its request id echoed and its row recorded", async () => {
    f.fakes.openai.enqueue({ type: "success", content: "Hello", usage: { prompt: 5, completion: 1 } });
    const res = await call(`${url()}?api-version=1`, { key: f.user.key, body: BODY });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.body.choices[0].message.content).toBe("Hello");
    const requestId = res.headers.get("x-llmg-request-id");
    expect(requestId).toMatch(/^req_[0-9A-Za-z]{20}$/);
    expect(res.body.id).toBe(`chatcmpl-${requestId!.slice(4)}`);
    const row = await f.t.database.db
      .selectFrom("requests")
      .select(["status", "total_cost", "ip"])
      .where("id", "=", requestId!)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("success");
    expect(row.total_cost).toBe(res.headers.get("x-llmg-cost-usd"));
    expect(row.ip).toMatch(/127\.0\.0\.1/);
  });

  it("refuses malformed JSON with 400 in OpenAI's shape", async () => {
    const res = await call(url(), { key: f.user.key, body: '{"model": ' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "validation_error", message: "Malformed JSON body" });
    expect(res.body.error.request_id).toBe(res.headers.get("x-llmg-request-id"));
  });

  it("refuses a body over the limit with 413, declared or streamed without a length", async () => {
    const big = JSON.stringify({ ...BODY, messages: [{ role: "user", content: "x".repeat(5000) }] });
    const declared = await call(url(), { key: f.user.key, body: big });
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe("payload_too_large");
    const chunked = await rawPost(
      url(),
      { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      [Buffer.from(big.slice(0, 3000)), Buffer.from(big.slice(3000))],
    );
    expect(chunked.status).toBe(413);
    expect(chunked.body.error.code).toBe("payload_too_large");
  });

  it("reads a chunked body without a content-length", async () => {
    f.fakes.openai.enqueue({ type: "success", content: "Chunked", usage: { prompt: 5, completion: 1 } });
    const text = JSON.stringify(BODY);
    const res = await rawPost(
      url(),
      { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      [Buffer.from(text.slice(0, 10)), Buffer.from(text.slice(10))],
    );
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe("Chunked");
  });

  it("leaves gzip bodies to express, which inflates them", async () => {
    f.fakes.openai.enqueue({ type: "success", content: "Inflated", usage: { prompt: 5, completion: 1 } });
    const res = await rawPost(
      url(),
      {
        authorization: `Bearer ${f.user.key}`,
        "content-type": "application/json",
        "content-encoding": "gzip",
      },
      [gzipSync(JSON.stringify(BODY))],
    );
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe("Inflated");
  });

  it("answers 401 without a key and 404 for a longer path", async () => {
    const anonymous = await call(url(), { body: BODY });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.type).toBe("authentication_error");
    const longer = await call(`${url()}/extra`, { key: f.user.key, body: BODY });
    expect(longer.status).toBe(404);
  });

  it("treats a body without a JSON content type as missing, as the express route does", async () => {
    const res = await call(url(), {
      key: f.user.key,
      body: JSON.stringify(BODY),
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
  });
});

describe.each(testBackends())("LLMG_USAGE_COMMIT=fast on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_USAGE_COMMIT: "fast" });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("still has every row committed, with its exact cost, when the answer arrives", async () => {
    for (let i = 0; i < 10; i++) {
      f.fakes.openai.enqueue({ type: "success", content: "ok", usage: { prompt: 1000 + i, completion: 50 } });
      const res = await call(`${f.t.url}/v1/chat/completions`, { key: f.user.key, body: BODY });
      expect(res.status).toBe(200);
      const row = await f.t.database.db
        .selectFrom("requests")
        .select(["total_cost", "prompt_tokens"])
        .where("id", "=", res.headers.get("x-llmg-request-id")!)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ total_cost: res.headers.get("x-llmg-cost-usd"), prompt_tokens: 1000 + i });
    }
  });
});

describe("LLMG_USAGE_COMMIT", () => {
  it("defaults to durable and names itself when set to something else", () => {
    expect(loadConfig({}).LLMG_USAGE_COMMIT).toBe("durable");
    expect(loadConfig({ LLMG_USAGE_COMMIT: "fast" }).LLMG_USAGE_COMMIT).toBe("fast");
    expect(() => loadConfig({ LLMG_USAGE_COMMIT: "sometimes" })).toThrow(/LLMG_USAGE_COMMIT:/);
  });
});
