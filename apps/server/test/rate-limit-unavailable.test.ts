import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, exactUsage, userWithCredential } from "./budget-fixtures";
import { startTestGateway, type TestGateway } from "./harness";

/** Production mode whose Redis does not answer (nothing listens on port 1). */
const DEAD_REDIS = "redis://127.0.0.1:1";

describe("limits when Redis is unreachable", () => {
  let fake: FakeProvider;
  let closed: TestGateway;
  let open: TestGateway;
  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-down" });
    fake.setDefault({ type: "success", usage: exactUsage(10) });
    const env = { LLMG_OPENAI_BASE_URL: fake.url, REDIS_URL: DEAD_REDIS };
    closed = await startTestGateway("pglite", { env });
    open = await startTestGateway("pglite", { env: { ...env, LLMG_LIMITS_FAIL_OPEN: "true" } });
  });
  afterAll(async () => {
    await closed?.close();
    await open?.close();
    await fake?.close();
  });

  it("fails closed by default: 503 limits_unavailable, and the provider is not called", async () => {
    const { key } = await userWithCredential(closed, fake, { monthly_budget_usd: 1, rate_limit_rpm: 1 });
    fake.reset();
    const res = await chat(closed, key, 10);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ success: false, error: "limits_unavailable" });
    expect(fake.requests).toHaveLength(0);
  });

  it("admits without limits when configured to fail open", async () => {
    const { key } = await userWithCredential(open, fake, { monthly_budget_usd: 1, rate_limit_rpm: 1 });
    const results = [await chat(open, key, 10), await chat(open, key, 10)];
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results[0]!.headers.get("x-ratelimit-limit-requests")).toBeNull();
  });
});
