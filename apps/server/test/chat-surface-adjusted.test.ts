import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, readSse, startChatFixture } from "./chat-harness";
import { call } from "./harness";

const kind = testBackends()[0]!;
const HEADER = "x-llmg-adjusted-params";
const messages = [{ role: "user", content: "hi" }];

/**
 * x-llmg-adjusted-params: what the gateway changed before calling the provider, on every surface.
 * Anthropic's Messages API has no `seed`, so its adapter leaves it out of its mapped fields: the
 * field is dropped and named.
 */
describe(`x-llmg-adjusted-params on /v1 and /api (${kind})`, () => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_PROVIDER_MAX_RETRIES: "0" });
  });
  afterAll(async () => {
    await f?.close();
  });

  const v1 = (body: Record<string, unknown>) =>
    call(`${f.t.url}/v1/chat/completions`, { key: f.user.key, body: { messages, ...body } });
  const api = (body: Record<string, unknown>) =>
    call(`${f.t.url}/api/chat/completions`, { key: f.user.key, body: { messages, ...body } });
  const anthropicBody = () => f.fakes.anthropic.requests.at(-1)!.body as Record<string, unknown>;

  it("names a field the provider cannot map, and does not send it", async () => {
    const viaV1 = await v1({ model: "anthropic/claude-sonnet-4-5", seed: 42 });
    expect(viaV1.status, JSON.stringify(viaV1.body)).toBe(200);
    expect(viaV1.headers.get(HEADER)).toBe("seed=dropped");
    expect(anthropicBody()).not.toHaveProperty("seed");

    const viaApi = await api({ provider: "anthropic", model: "claude-sonnet-4-5", seed: 42 });
    expect(viaApi.status, JSON.stringify(viaApi.body)).toBe(200);
    expect(viaApi.headers.get(HEADER)).toBe("seed=dropped");
    expect(anthropicBody()).not.toHaveProperty("seed");
  });

  it("sets nothing when nothing changed", async () => {
    const viaV1 = await v1({ model: "gpt-4o-mini", temperature: 0.2, seed: 1 });
    expect(viaV1.status).toBe(200);
    expect(viaV1.headers.get(HEADER)).toBeNull();
    const viaApi = await api({ provider: "openai", model: "gpt-4o-mini", temperature: 0.2 });
    expect(viaApi.status).toBe(200);
    expect(viaApi.headers.get(HEADER)).toBeNull();
    // An explicit null is how the Python SDK says "not set": nothing was dropped.
    const nulls = await v1({ model: "gpt-4o-mini", logprobs: null, top_logprobs: null });
    expect(nulls.status).toBe(200);
    expect(nulls.headers.get(HEADER)).toBeNull();
  });

  it("names the /v1 fields it does not route, before the provider's own changes", async () => {
    const res = await v1({ model: "anthropic/claude-sonnet-4-5", logprobs: true, seed: 3 });
    expect(res.status).toBe(200);
    expect(res.headers.get(HEADER)).toBe("logprobs=dropped, seed=dropped");
    expect(anthropicBody()).not.toHaveProperty("logprobs");
  });

  it("names the /api fields it does not know, on JSON answers and streams", async () => {
    const json = await api({ provider: "anthropic", model: "claude-sonnet-4-5", logprobs: true, seed: 3 });
    expect(json.status, JSON.stringify(json.body)).toBe(200);
    expect(json.headers.get(HEADER)).toBe("logprobs=dropped, seed=dropped");
    expect(anthropicBody()).not.toHaveProperty("logprobs");

    const stream = await fetch(`${f.t.url}/api/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        provider: "openai",
        model: "gpt-4o-mini",
        messages,
        stream: true,
        "bad name": 1,
        top_logprobs: 2,
      }),
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get(HEADER)).toBe("top_logprobs=dropped, 1_other_fields=dropped");
    expect((await readSse(stream)).at(-1)).toBe("[DONE]");
  });

  it("counts header-unsafe and surplus names instead of echoing them", async () => {
    const unsafe = await v1({ model: "gpt-4o-mini", "bad name\r\nx-evil: 1": true, ["é".repeat(3)]: 1 });
    expect(unsafe.status).toBe(200);
    expect(unsafe.headers.get(HEADER)).toBe("2_other_fields=dropped");
    expect(unsafe.headers.get("x-evil")).toBeNull();

    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`extra_${i}`, i]));
    const surplus = await v1({ model: "gpt-4o-mini", ...many, ["x".repeat(65)]: 1 });
    expect(surplus.status).toBe(200);
    const named = Array.from({ length: 16 }, (_, i) => `extra_${i}=dropped`);
    expect(surplus.headers.get(HEADER)).toBe([...named, "5_other_fields=dropped"].join(", "));
  });

  it("sends the header at the start of a /v1 stream too", async () => {
    const res = await fetch(`${f.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "anthropic/claude-sonnet-4-5", messages, seed: 5, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get(HEADER)).toBe("seed=dropped");
    expect((await readSse(res)).at(-1)).toBe("[DONE]");
  });
});
