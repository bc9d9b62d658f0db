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

function post(
  fake: FakeProvider,
  headers: Record<string, string>,
  body: unknown = { model: "m", messages: [] },
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
      body: { model: "m", messages: [] },
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
