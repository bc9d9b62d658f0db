import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCredential,
  chat,
  closeReplicas,
  exactUsage,
  flushPrefix,
  startReplicas,
  testPrefix,
  useClock,
  userWithCredential,
} from "./budget-fixtures";
import { call, createUserWithKey, type TestGateway } from "./harness";

const MAX_TOKENS = 20;
const TOKENS_PER_CALL = exactUsage(MAX_TOKENS).prompt + MAX_TOKENS;
const production = testRedisUrl() !== null && testBackends().includes("postgres");
const setups = [
  ...(production
    ? [{ name: "two replicas sharing Redis", kind: "postgres" as const, replicas: 2 as const, redis: true }]
    : []),
  { name: "embedded mode", kind: "pglite" as const, replicas: 1 as const, redis: false },
];

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe.each(setups)("rate limits: $name", (setup) => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  const prefix = testPrefix();
  const at = (i: number) => replicas[i % replicas.length]!;
  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-rate" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas(setup.kind, setup.replicas, fake, { redis: setup.redis, prefix });
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  it("lets exactly RPM calls of a concurrent burst through, with OpenAI's headers, then refills", async () => {
    const K = 5;
    const M = 20;
    const { key } = await userWithCredential(at(0), fake, { rate_limit_rpm: K });
    const burst = await Promise.all(Array.from({ length: M }, (_, i) => chat(at(i), key, MAX_TOKENS)));
    const statuses = burst.map((r) => r.status);
    expect(count(statuses, 200)).toBe(K);
    expect(count(statuses, 429)).toBe(M - K);

    const passed = burst.filter((r) => r.status === 200);
    for (const r of passed) {
      expect(r.headers.get("x-ratelimit-limit-requests")).toBe(String(K));
      // OpenAI's duration spelling; a burst admitted within one millisecond of Redis time
      // leaves its last call a reset of exactly a minute, "1m0s".
      expect(r.headers.get("x-ratelimit-reset-requests")).toMatch(/^(1m0s|\d+(\.\d+)?s)$/);
      // No token limit configured: its headers are left out rather than invented.
      expect(r.headers.get("x-ratelimit-limit-tokens")).toBeNull();
    }
    const remaining = passed.map((r) => Number(r.headers.get("x-ratelimit-remaining-requests"))).sort();
    expect(remaining).toEqual([0, 1, 2, 3, 4]);

    const refused = burst.find((r) => r.status === 429)!;
    expect(refused.body).toMatchObject({ success: false, error: "rate_limit_exceeded" });
    // One call per 12 s comes back at RPM 5.
    expect(refused.body.retry_after).toBeGreaterThanOrEqual(1);
    expect(refused.body.retry_after).toBeLessThanOrEqual(12);
    expect(Number(refused.headers.get("retry-after"))).toBe(Math.ceil(refused.body.retry_after));
    // A refused call carries the rate-limit headers too, as OpenAI's do.
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe(String(K));
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");

    // A minute later (injected clock, same shared counters) the whole allowance is back.
    for (const r of replicas) useClock(r, () => Date.now() + 61_000);
    const later = await Promise.all(Array.from({ length: 2 * K }, (_, i) => chat(at(i), key, MAX_TOKENS)));
    expect(
      count(
        later.map((r) => r.status),
        200,
      ),
    ).toBe(K);
    expect(
      count(
        later.map((r) => r.status),
        429,
      ),
    ).toBe(K);
  });

  it("limits tokens per minute from the reservation, and refuses a call larger than the limit", async () => {
    for (const r of replicas) useClock(r, Date.now);
    const tpm = 3 * TOKENS_PER_CALL + 1;
    const { key } = await userWithCredential(at(0), fake, { rate_limit_tpm: tpm });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => chat(at(i), key, MAX_TOKENS)));
    expect(
      count(
        results.map((r) => r.status),
        200,
      ),
    ).toBe(3);
    const ok = results.find((r) => r.status === 200)!;
    expect(ok.headers.get("x-ratelimit-limit-tokens")).toBe(String(tpm));
    expect(ok.headers.get("x-ratelimit-limit-requests")).toBeNull();

    const tooLarge = await chat(at(0), key, tpm);
    expect(tooLarge.status).toBe(429);
    expect(tooLarge.body.message).toMatch(/lower max_tokens/);
  });

  it("applies a key's tighter limit to that key only, and the user's to all keys together", async () => {
    const first = at(0);
    const { user, key, keyId } = await createUserWithKey(first, { rate_limit_rpm: 4 });
    // Before the key's first use, so no replica has it cached without its limit.
    await first.database.db
      .updateTable("api_keys")
      .set({ rate_limit_rpm: 2 })
      .where("id", "=", keyId)
      .execute();
    await addCredential(first, fake, key);
    const other = await call(`${first.url}/api/admin/users/${user.id}/keys`, {
      key: first.adminKey,
      body: {},
    });
    const tight = await Promise.all(Array.from({ length: 4 }, (_, i) => chat(at(i), key, MAX_TOKENS)));
    expect(
      count(
        tight.map((r) => r.status),
        200,
      ),
    ).toBe(2);
    expect(tight.find((r) => r.status === 200)!.headers.get("x-ratelimit-limit-requests")).toBe("2");
    const loose = await Promise.all(
      Array.from({ length: 4 }, (_, i) => chat(at(i), other.body.data.key, MAX_TOKENS)),
    );
    // The user's 4 per minute, 2 of them already used through the first key.
    expect(
      count(
        loose.map((r) => r.status),
        200,
      ),
    ).toBe(2);
  });

  it("sends no rate-limit headers and never refuses without limits", async () => {
    const { key } = await userWithCredential(at(0), fake);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => chat(at(i), key, MAX_TOKENS)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results[0]!.headers.get("x-ratelimit-limit-requests")).toBeNull();
  });
});
