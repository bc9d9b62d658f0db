import { afterEach, describe, expect, it } from "vitest";
import { FAKE_PROVIDER_IDS, type FakeProvider, startFakeProvider } from "../src";

/** The fakes' own contract, checked over raw HTTP (the adapters' tests in core cover the wire formats). */

const started: FakeProvider[] = [];
async function start(...args: Parameters<typeof startFakeProvider>): Promise<FakeProvider> {
  const fake = await startFakeProvider(...args);
  started.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

const CHAT: Record<(typeof FAKE_PROVIDER_IDS)[number], { path: string; headers: Record<string, string> }> = {
  openai: { path: "/chat/completions", headers: { authorization: "Bearer test-key" } },
  deepseek: { path: "/chat/completions", headers: { authorization: "Bearer test-key" } },
  mistral: { path: "/chat/completions", headers: { authorization: "Bearer test-key" } },
  anthropic: {
    path: "/v1/messages",
    headers: { "x-api-key": "test-key", "anthropic-version": "2023-06-01" },
  },
  google: {
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
    headers: { "x-goog-api-key": "test-key" },
  },
};

/** A body each provider accepts (Anthropic requires max_tokens and at least one message). */
const minimalBody = (provider: string) =>
  provider === "anthropic"
    ? { model: "m", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }
    : { model: "m", messages: [] };

function post(
  fake: FakeProvider,
  headers: Record<string, string>,
  body: unknown = minimalBody(fake.provider),
) {
  return fetch(`${fake.url}${CHAT[fake.provider].path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe.each(FAKE_PROVIDER_IDS)("%s fake", (provider) => {
  it("listens on 127.0.0.1 with the provider's base URL form", async () => {
    const fake = await start(provider);
    const suffix = provider === "openai" || provider === "mistral" ? "/v1" : "";
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}${suffix}`);
  });

  it("records requests and serves the queue before the default", async () => {
    const fake = await start(provider);
    fake.enqueue({ type: "error", status: 500 });
    expect((await post(fake, CHAT[provider].headers)).status).toBe(500);
    expect((await post(fake, CHAT[provider].headers)).status).toBe(200);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      body: minimalBody(provider),
      aborted: false,
    });
    expect(fake.requests[0]?.path).toContain(CHAT[provider].path);
  });

  it("rejects a wrong key with the provider's auth error", async () => {
    const fake = await start(provider, { apiKey: "secret-1" });
    const response = await post(fake, CHAT[provider].headers);
    expect(response.status).toBe(provider === "google" ? 400 : 401);
    expect(await response.json()).toBeTruthy();
  });

  it("closes promptly with a delayed response pending", async () => {
    const fake = await start(provider);
    fake.enqueue({ type: "delay", ms: 60_000 });
    const pending = post(fake, CHAT[provider].headers).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fake.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it("answers from precomputed buffers in instant mode without recording", async () => {
    const fake = await start(provider, { instant: true });
    const response = await post(fake, CHAT[provider].headers);
    expect(response.status).toBe(200);
    expect(await response.json()).toBeTruthy();
    expect(fake.requestCount).toBe(1);
    expect(fake.requests).toHaveLength(0);
  });
});

/** Reads a response body, counting bytes, until `stop` says enough (then cancels) or it ends. */
async function drain(
  response: Response,
  stop: (bytes: number, text: string) => boolean = () => false,
): Promise<{ bytes: number; text: string }> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    // Only the start is kept: the bodies here are far larger than a test should hold.
    if (text.length < 4096) text += decoder.decode(value, { stream: true });
    if (stop(bytes, text)) {
      await reader.cancel();
      break;
    }
  }
  return { bytes, text };
}

// Megabytes through fetch: generous time on a shared machine.
describe("hostile behaviours", { timeout: 30_000 }, () => {
  it("hugeBody sends exactly the bytes asked for, with the status asked for", async () => {
    const fake = await start("openai");
    fake.enqueue({ type: "hugeBody", bytes: 3_000_000 }, { type: "hugeBody", bytes: 200_000, status: 500 });
    const ok = await post(fake, CHAT.openai.headers);
    expect(ok.status).toBe(200);
    const body = await drain(ok);
    expect(body.bytes).toBe(3_000_000);
    expect(body.text.startsWith('{"id":"huge"')).toBe(true);
    const failed = await post(fake, CHAT.openai.headers);
    expect(failed.status).toBe(500);
    expect((await drain(failed)).bytes).toBe(200_000);
  });

  it("an endless hugeBody goes on until the client leaves", async () => {
    const fake = await start("openai");
    fake.enqueue({ type: "hugeBody" });
    const body = await drain(await post(fake, CHAT.openai.headers), (bytes) => bytes > 4_000_000);
    expect(body.bytes).toBeGreaterThan(4_000_000);
    await waitUntil(() => fake.requests[0]?.aborted === true);
  });

  it.each(["openai", "anthropic", "google"] as const)(
    "endlessStream sends valid %s deltas until the client leaves",
    async (provider) => {
      const fake = await start(provider);
      fake.enqueue({ type: "endlessStream", text: "tick" });
      const path =
        provider === "google"
          ? "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
          : CHAT[provider].path;
      const response = await fetch(`${fake.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...CHAT[provider].headers },
        body: JSON.stringify({
          ...minimalBody(provider),
          messages: [{ role: "user", content: "hi" }],
          stream: true,
        }),
      });
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      const body = await drain(response, (bytes) => bytes > 2_000_000);
      const events = body.text.split(/\r?\n\r?\n/).filter((event) => event.includes("data:"));
      expect(events.length).toBeGreaterThan(5);
      expect(body.text.split("tick").length).toBeGreaterThan(5);
      // Every complete data line is JSON: the deltas are valid, only endless.
      for (const event of events.slice(0, -1)) {
        const data = event.split(/\r?\n/).find((line) => line.startsWith("data:"));
        expect(() => JSON.parse(data?.slice(5) ?? "")).not.toThrow();
      }
      await waitUntil(() => fake.requests[0]?.aborted === true);
    },
  );

  it("hugeLine sends one data line of the size asked for without a line end", async () => {
    const fake = await start("openai");
    fake.enqueue({ type: "hugeLine", bytes: 5_000_000 });
    const body = await drain(
      await post(fake, CHAT.openai.headers, { model: "m", messages: [], stream: true }),
      () => false,
    );
    expect(body.bytes).toBe(5_000_000);
    expect(body.text.startsWith("data: {")).toBe(true);
    expect(body.text.includes("\n")).toBe(false);
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
