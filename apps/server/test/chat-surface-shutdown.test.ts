import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, readSse, startChatFixture } from "./chat-harness";

const kind = testBackends()[0]!;

/**
 * A stream on POST /api/chat/completions is drained on shutdown like /v1's: it runs until the
 * grace ends, is then aborted with `shutdown` as its last event, and what was streamed is charged.
 */
describe(`shutdown drains /api streams (${kind})`, () => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_SHUTDOWN_GRACE_MS: "1000", LLMG_PROVIDER_TIMEOUT_MS: "60000" });
  });
  afterAll(() => f?.close());

  it("ends a stream still running at the end of the grace with a shutdown event, billed", async () => {
    const fake = f.fakes.openai;
    fake.enqueue({
      type: "stream",
      chunks: Array.from({ length: 100 }, (_, i) => `w${i} `),
      chunkDelayMs: 200,
      usage: { prompt: 5, completion: 100 },
    });
    const res = await fetch(`${f.t.url}/api/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        provider: "openai",
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-llmg-request-id")!;
    const events = readSse(res);
    const closing = f.t.gateway.close();
    const all = (await events) as any[];
    await closing;
    expect(all).not.toContain("[DONE]");
    expect(all.at(-1)).toMatchObject({ success: false, error: "shutdown", request_id: id });
    expect(all.some((e) => e.choices?.[0]?.delta?.content)).toBe(true);
    const row = await f.t.database.db
      .selectFrom("requests")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      endpoint: "api",
      stream: true,
      status: "error",
      http_status: 503,
      error_code: "shutdown",
    });
    expect(row.completion_tokens).toBeGreaterThan(0);
    expect(Number(row.total_cost)).toBeGreaterThan(0);
  });
});
