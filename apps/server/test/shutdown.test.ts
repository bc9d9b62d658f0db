import { testBackends } from "@llmg/db/testing";
import type { FakeBehavior } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, startChatFixture } from "./chat-harness";

/**
 * gateway.close() (what SIGTERM runs): calls that end within LLMG_SHUTDOWN_GRACE_MS finish; the
 * others are aborted at its end, answered with `shutdown` and still recorded. The chaos suite
 * does the same with a real process and a real signal (chaos/sigterm.test.ts).
 */
describe.each(testBackends())("graceful shutdown on %s", (backend) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(backend, {
      LLMG_SHUTDOWN_GRACE_MS: "1500",
      LLMG_PROVIDER_TIMEOUT_MS: "60000",
    });
  });
  afterAll(() => f?.close());

  async function send(stream: boolean, behavior: FakeBehavior) {
    const fake = f.fakes.openai;
    const before = fake.requests.length;
    fake.enqueue(behavior);
    const answer = fetch(`${f.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream }),
    }).then(async (res) => ({
      status: res.status,
      id: res.headers.get("x-llmg-request-id")!,
      text: await res.text(),
    }));
    // Sent one after the other, so each call meets its own behaviour.
    while (fake.requests.length === before) await new Promise((r) => setTimeout(r, 10));
    return { answer };
  }

  it("lets short calls finish, aborts and records the long ones, and refuses new connections", async () => {
    const short = await send(false, { type: "delay", ms: 300 });
    const long = await send(false, { type: "delay", ms: 30_000 });
    const longStream = await send(true, {
      type: "stream",
      chunks: Array.from({ length: 100 }, (_, i) => `w${i} `),
      chunkDelayMs: 200,
      usage: { prompt: 5, completion: 100 },
    });

    const closing = f.t.gateway.close();
    await expect(fetch(`${f.t.url}/healthz`)).rejects.toThrow();
    const answers = await Promise.all([short.answer, long.answer, longStream.answer]);
    await closing;

    const rows = await f.t.database.db
      .selectFrom("requests")
      .select(["id", "status", "http_status", "error_code", "completion_tokens"])
      .where(
        "id",
        "in",
        answers.map((a) => a.id),
      )
      .execute();
    const row = (id: string) => rows.find((r) => r.id === id);

    expect(answers[0]!.status).toBe(200);
    expect(row(answers[0]!.id)).toMatchObject({ status: "success" });

    expect(answers[1]!.status).toBe(503);
    expect(JSON.parse(answers[1]!.text).error.code).toBe("shutdown");
    expect(row(answers[1]!.id)).toMatchObject({ status: "error", http_status: 503, error_code: "shutdown" });

    // The stream had begun: the abort arrives as its last event, and what was streamed is charged.
    expect(answers[2]!.status).toBe(200);
    expect(answers[2]!.text).toContain('"code":"shutdown"');
    expect(answers[2]!.text).not.toContain("[DONE]");
    const streamedRow = row(answers[2]!.id);
    expect(streamedRow).toMatchObject({ status: "error", http_status: 503, error_code: "shutdown" });
    expect(streamedRow!.completion_tokens).toBeGreaterThan(0);
  });
});
