import { addDecimals, compareDecimals, estimatePromptTokens, maxCostFor, multiplyDecimal } from "@llmg/core";
import { type FakeBehavior, type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushPrefix, modeSetups, testPrefix } from "./budget-fixtures";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

/**
 * Request fallbacks: a call whose model fails with 429, 5xx/529, a timeout or a prompt too long
 * goes on to the next model; every attempt is admitted at its own price, recorded as its own row
 * and priced, and nothing stays reserved. The gateway's own retries are off here (max retries 0)
 * so each upstream failure is one attempt.
 */
const setups = modeSetups(1);
const MESSAGES = [{ role: "user" as const, content: "Count to three." }];
const USAGE = { prompt: 12, completion: 8 };

describe.each(setups)("fallbacks: $name", (setup) => {
  let t: TestGateway;
  let openai: FakeProvider;
  let anthropic: FakeProvider;
  const prefix = testPrefix();

  async function user(fields: Record<string, unknown> = {}) {
    const made = await createUserWithKey(t, fields);
    for (const [provider, fake] of [
      ["openai", openai],
      ["anthropic", anthropic],
    ] as const) {
      const added = await call(`${t.url}/api/credentials`, {
        key: made.key,
        body: { provider, name: provider, api_key: fake.apiKey },
      });
      expect(added.status).toBe(201);
    }
    return made;
  }

  const v1 = (key: string, body: Record<string, unknown>) =>
    call(`${t.url}/v1/chat/completions`, { key, body: { messages: MESSAGES, max_tokens: 16, ...body } });

  async function rows(requestId: string) {
    return t.database.db
      .selectFrom("requests")
      .selectAll()
      .where((eb) => eb.or([eb("id", "=", requestId), eb("request_id", "=", requestId)]))
      .orderBy("attempt")
      .execute();
  }

  const priceOf = (provider: "openai" | "anthropic", id: string) => {
    const model = t.gateway.services.catalog.model(provider, id)!;
    const p = model.prices;
    return addDecimals(multiplyDecimal(p.input, USAGE.prompt), multiplyDecimal(p.output, USAGE.completion));
  };

  beforeAll(async () => {
    openai = await startFakeProvider("openai", { apiKey: "sk-fake-fallback" });
    anthropic = await startFakeProvider("anthropic", { apiKey: "sk-ant-fake-fallback" });
    t = await startTestGateway(setup.kind, {
      redis: setup.redis,
      env: {
        LLMG_OPENAI_BASE_URL: openai.url,
        LLMG_ANTHROPIC_BASE_URL: anthropic.url,
        LLMG_PROVIDER_MAX_RETRIES: "0",
        LLMG_PROVIDER_TIMEOUT_MS: "1000",
        LLMG_REDIS_PREFIX: prefix,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await openai?.close();
    await anthropic?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  const failures: { kind: string; behavior: FakeBehavior }[] = [
    { kind: "500", behavior: { type: "error", status: 500 } },
    { kind: "429", behavior: { type: "error", status: 429, errorType: "rate_limit_exceeded" } },
    { kind: "timeout", behavior: { type: "delay", ms: 2_500 } },
    {
      kind: "context length",
      behavior: {
        type: "error",
        status: 400,
        errorType: "invalid_request_error",
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130001 tokens.",
        body: {
          error: {
            message:
              "This model's maximum context length is 128000 tokens. However, your messages resulted in 130001 tokens.",
            type: "invalid_request_error",
            param: "messages",
            code: "context_length_exceeded",
          },
        },
      },
    },
  ];

  for (const { kind, behavior } of failures) {
    it(`falls back on ${kind}, recording and pricing each attempt`, async () => {
      const { user: u, key } = await user();
      openai.reset();
      anthropic.reset();
      openai.enqueue(behavior);
      anthropic.enqueue({ type: "success", content: "One, two, three.", usage: USAGE });
      const res = await v1(key, { model: "openai/gpt-4o-mini", fallbacks: ["anthropic/claude-haiku-4-5"] });
      expect(res.status).toBe(200);
      expect(res.body.model).toBe("anthropic/claude-haiku-4-5");
      expect(res.body.choices[0].message.content).toBe("One, two, three.");
      expect(res.headers.get("x-llmg-attempts")).toBe("2");
      expect(res.headers.get("x-llmg-route")).toBe("fallbacks");
      expect(res.headers.get("x-llmg-model")).toBe("anthropic/claude-haiku-4-5");
      const requestId = res.headers.get("x-llmg-request-id")!;
      const recorded = await rows(requestId);
      expect(recorded.map((r) => [r.attempt, r.provider, r.model, r.status, r.request_id])).toEqual([
        [1, "openai", "gpt-4o-mini", "error", requestId],
        [2, "anthropic", "claude-haiku-4-5", "success", requestId],
      ]);
      expect(recorded[0]!.total_cost).toMatch(/^0(\.0+)?$/);
      expect(addDecimals(recorded[1]!.total_cost)).toBe(priceOf("anthropic", "claude-haiku-4-5"));
      expect(res.headers.get("x-llmg-cost-usd")).toBe(priceOf("anthropic", "claude-haiku-4-5"));
      expect(await t.gateway.services.limits.reservedNano(u.id)).toBe(0n);
      const detail = await call(`${t.url}/api/usage/requests/${requestId}`, { key });
      expect(detail.status).toBe(200);
      expect(
        detail.body.data.attempts.map((a: { attempt: number; status: string }) => [a.attempt, a.status]),
      ).toEqual([
        [1, "error"],
        [2, "success"],
      ]);
    });
  }

  it("falls back from Anthropic's 529 overloaded to OpenAI, with OpenRouter's `models` spelling", async () => {
    const { key } = await user();
    anthropic.reset();
    openai.reset();
    anthropic.enqueue({ type: "error", status: 529 });
    openai.enqueue({ type: "success", usage: USAGE });
    const res = await v1(key, { model: "anthropic/claude-haiku-4-5", models: ["openai/gpt-4o-mini"] });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe("openai/gpt-4o-mini");
    expect(res.headers.get("x-llmg-attempts")).toBe("2");
  });

  it("ends the call on an error another model would share, after one attempt", async () => {
    const { key } = await user();
    openai.reset();
    anthropic.reset();
    openai.enqueue({ type: "error", status: 400, message: "Invalid value for 'temperature'" });
    const res = await v1(key, { model: "openai/gpt-4o-mini", fallbacks: ["anthropic/claude-haiku-4-5"] });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-llmg-attempts")).toBe("1");
    expect(anthropic.requests).toHaveLength(0);
  });

  it("answers the last failure when every model fails", async () => {
    const { key } = await user();
    openai.reset();
    anthropic.reset();
    openai.enqueue({ type: "error", status: 503 });
    anthropic.enqueue({ type: "error", status: 529 });
    const res = await v1(key, { model: "openai/gpt-4o-mini", fallbacks: ["anthropic/claude-haiku-4-5"] });
    expect(res.status).toBe(529);
    expect(res.headers.get("x-llmg-attempts")).toBe("2");
    expect((await rows(res.headers.get("x-llmg-request-id")!)).map((r) => r.http_status)).toEqual([503, 529]);
  });

  it("refuses a fallback whose price does not fit the budget left, leaving nothing reserved", async () => {
    // Room for the cheap model's most (about $0.00001) but not for Opus's (about $0.0013).
    const { user: u, key } = await user({ monthly_budget_usd: "0.0005" });
    // Each attempt reserves its own model's most for the prompt (maxCostFor): the cheap one fits
    // the budget, Opus does not.
    const tokens = estimatePromptTokens(MESSAGES);
    const catalog = t.gateway.services.catalog;
    expect(compareDecimals(maxCostFor(catalog.model("openai", "gpt-4o-mini")!, tokens, 16), "0.0005")).toBe(
      -1,
    );
    expect(
      compareDecimals(maxCostFor(catalog.model("anthropic", "claude-opus-4-1")!, tokens, 16), "0.0005"),
    ).toBe(1);
    openai.reset();
    anthropic.reset();
    openai.enqueue({ type: "error", status: 500 });
    const res = await v1(key, { model: "openai/gpt-4o-mini", fallbacks: ["anthropic/claude-opus-4-1"] });
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe("budget_exceeded");
    expect(res.headers.get("x-llmg-attempts")).toBe("2");
    expect(anthropic.requests).toHaveLength(0);
    const recorded = await rows(res.headers.get("x-llmg-request-id")!);
    expect(recorded.map((r) => [r.attempt, r.http_status])).toEqual([
      [1, 500],
      [2, 402],
    ]);
    expect(await t.gateway.services.limits.reservedNano(u.id)).toBe(0n);
  });

  it("skips a model whose context window the prompt does not fit, without calling it", async () => {
    const { key } = await user();
    openai.reset();
    openai.setDefault({ type: "success", usage: USAGE });
    // About 20 000 tokens: past gpt-3.5-turbo's 16 385, within gpt-4o-mini's 128 000.
    const long = "lorem ipsum dolor sit amet ".repeat(4_000);
    expect(estimatePromptTokens([{ role: "user", content: long }])).toBeGreaterThan(16_385);
    const res = await call(`${t.url}/v1/chat/completions`, {
      key,
      body: {
        model: "openai/gpt-3.5-turbo",
        messages: [{ role: "user", content: long }],
        max_tokens: 16,
        fallbacks: ["openai/gpt-4o-mini"],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe("openai/gpt-4o-mini");
    expect(openai.requests).toHaveLength(1);
    expect((openai.requests[0]!.body as { model: string }).model).toBe("gpt-4o-mini");
    expect(res.headers.get("x-llmg-attempts")).toBe("1");
  });

  it("falls back before a stream begins, and streams the fallback's answer", async () => {
    const { key } = await user();
    openai.reset();
    anthropic.reset();
    openai.enqueue({ type: "error", status: 502 });
    anthropic.enqueue({ type: "stream", chunks: ["One, ", "two."], usage: USAGE });
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: MESSAGES,
        max_tokens: 16,
        stream: true,
        fallbacks: ["anthropic/claude-haiku-4-5"],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-llmg-attempts")).toBe("2");
    const text = await res.text();
    const content = text
      .split("\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => JSON.parse(l.slice(6)).choices?.[0]?.delta?.content ?? "")
      .join("");
    expect(content).toBe("One, two.");
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
  });

  it("refuses bad fallback lists with a 400 naming the field", async () => {
    const { key } = await user();
    const unknown = await v1(key, { model: "openai/gpt-4o-mini", fallbacks: ["openai/no-such-model"] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain("fallbacks[0]");
    const both = await v1(key, {
      model: "openai/gpt-4o-mini",
      fallbacks: ["openai/gpt-4o"],
      models: ["openai/gpt-4o"],
    });
    expect(both.status).toBe(400);
    const many = await v1(key, { model: "openai/gpt-4o-mini", fallbacks: Array(9).fill("openai/gpt-4o") });
    expect(many.status).toBe(400);
  });

  it("refuses a fallback outside the key's allowed_models before anything is reserved", async () => {
    const { user: u } = await user();
    const limited = await call(`${t.url}/api/admin/users/${u.id}/keys`, {
      key: t.adminKey,
      body: { allowed_models: ["openai/*"] },
    });
    const res = await v1(limited.body.data.key, {
      model: "openai/gpt-4o-mini",
      fallbacks: ["anthropic/claude-haiku-4-5"],
    });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).toContain("fallbacks[0]");
  });
});
