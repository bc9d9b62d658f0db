import { addDecimals } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, readSse, startChatFixture } from "./chat-harness";
import { call } from "./harness";
import { rollUp } from "./usage-fixture";

describe.each(testBackends())("analytics of real chat calls on %s", (kind) => {
  let f: ChatFixture;
  const ids: string[] = [];
  const costs: string[] = [];
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_PROVIDER_MAX_RETRIES: "0" });
    f.fakes.openai.enqueue({
      type: "success",
      content: "Hi",
      usage: { prompt: 1000, completion: 500, cachedRead: 200 },
    });
    const plain = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] },
      headers: { "user-agent": "usage-chat/1", "x-llmg-metadata": JSON.stringify({ team: "search" }) },
    });
    expect(plain.status).toBe(200);
    ids.push(plain.body.request_id);
    costs.push(plain.body.cost.total_cost_exact);

    await rollUp(f.t.gateway.services.db);

    f.fakes.anthropic.enqueue({
      type: "stream",
      chunks: ["Hel", "lo"],
      usage: { prompt: 1000, completion: 500 },
    });
    const streamed = await fetch(`${f.t.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "anthropic/claude-sonnet-4-5",
        messages: [{ role: "user", content: "Hello" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    const events = (await readSse(streamed)) as { usage?: { cost_usd: string } }[];
    ids.push(streamed.headers.get("x-llmg-request-id") as string);
    costs.push(events.at(-2)?.usage?.cost_usd as string);

    f.fakes.mistral.enqueue({ type: "error", status: 500 });
    const failed = await call(`${f.t.url}/api/chat/completions`, {
      key: f.user.key,
      body: {
        provider: "mistral",
        model: "mistral-small-latest",
        messages: [{ role: "user", content: "Hello" }],
      },
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    ids.push(failed.headers.get("x-llmg-request-id") as string);
  });
  afterAll(async () => {
    await f?.close();
  });

  it("lists each call, newest first, with the cost the chat answer reported", async () => {
    const res = await call(`${f.t.url}/api/usage/requests`, { key: f.user.key });
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: { id: string }) => r.id)).toEqual([...ids].reverse());
    expect(res.body.pagination.total).toBe(3);
    const [failed, streamed, plain] = res.body.data;
    expect(plain).toMatchObject({
      provider: "openai",
      status: "success",
      total_cost_exact: costs[0],
      stream: false,
    });
    expect(streamed).toMatchObject({
      provider: "anthropic",
      endpoint: "v1",
      stream: true,
      total_cost_exact: costs[1],
    });
    expect(streamed.ttft_ms).not.toBeNull();
    expect(failed).toMatchObject({ provider: "mistral", status: "error", total_cost_exact: "0" });

    const detail = await call(`${f.t.url}/api/usage/requests/${ids[0]}`, { key: f.user.key });
    expect(detail.body.data).toMatchObject({
      id: ids[0],
      endpoint: "api",
      prompt_tokens: 1000,
      completion_tokens: 500,
      cached_tokens: 200,
      user_agent: "usage-chat/1",
      metadata: { team: "search" },
      api_key_id: f.user.keyId,
    });
    expect(detail.body.data.credential_id).toMatch(/^cred_/);
  });

  it("sums them exactly in the summary, across the rollups and the not-yet-rolled tail", async () => {
    const res = await call(`${f.t.url}/api/usage/summary`, { key: f.user.key });
    expect(res.body.data.totals).toMatchObject({
      requests: 3,
      successful: 2,
      failed: 1,
      cost_usd_exact: addDecimals(costs[0] as string, costs[1] as string),
    });
    expect(res.body.data.performance.streamed_requests).toBe(1);
    expect(res.body.data.performance.error_rate_by_provider[0]).toMatchObject({
      provider: "mistral",
      error_rate: 1,
    });
    const account = await call(`${f.t.url}/api/account`, { key: f.user.key });
    expect(account.body.data).toMatchObject({ credentials_count: 5, this_month: { requests: 3 } });
    expect(account.body.data.this_month.cost_usd_exact).toBe(res.body.data.totals.cost_usd_exact);
  });
});
