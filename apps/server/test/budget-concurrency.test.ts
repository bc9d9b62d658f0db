import { compareDecimals } from "@llmg/core";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chat,
  closeReplicas,
  costOfCall,
  exactUsage,
  flushPrefix,
  recordedSpend,
  startReplicas,
  testPrefix,
  times,
  userWithCredential,
} from "./budget-fixtures";
import { call, type TestGateway } from "./harness";

/**
 * A budget that covers exactly N calls must admit exactly N of 10×N concurrent calls, on one
 * replica or two sharing Redis, and leave no reservation behind.
 */
const N = 20;
const MAX_TOKENS = 20;
const redis = testRedisUrl() !== null;
const setups = [
  ...(redis && testBackends().includes("postgres")
    ? [
        {
          name: "production mode, one replica",
          kind: "postgres" as const,
          replicas: 1 as const,
          redis: true,
        },
        {
          name: "production mode, two replicas",
          kind: "postgres" as const,
          replicas: 2 as const,
          redis: true,
        },
      ]
    : []),
  { name: "embedded mode", kind: "pglite" as const, replicas: 1 as const, redis: false },
];

describe.each(setups)("budget under concurrency: $name", (setup) => {
  let fake: FakeProvider;
  let replicas: TestGateway[];
  const prefix = testPrefix();
  beforeAll(async () => {
    fake = await startFakeProvider("openai", { apiKey: "sk-fake-budget" });
    fake.setDefault({ type: "success", usage: exactUsage(MAX_TOKENS) });
    replicas = await startReplicas(setup.kind, setup.replicas, fake, { redis: setup.redis, prefix });
  });
  afterAll(async () => {
    await closeReplicas(replicas ?? []);
    await fake?.close();
    if (setup.redis) await flushPrefix(prefix);
  });

  it(`admits exactly ${N} of ${10 * N} concurrent calls and never passes the limit`, async () => {
    const first = replicas[0]!;
    const cost = costOfCall(first, MAX_TOKENS);
    const limit = times(cost, N);
    const { user, key } = await userWithCredential(first, fake, { monthly_budget_usd: limit });
    fake.reset();

    const results = await Promise.all(
      Array.from({ length: 10 * N }, (_, i) => chat(replicas[i % replicas.length]!, key, MAX_TOKENS)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(N);
    expect(statuses.filter((s) => s === 402)).toHaveLength(9 * N);
    const refused = results.find((r) => r.status === 402)!;
    expect(refused.body).toMatchObject({ success: false, error: "budget_exceeded" });
    expect(refused.body.details.limit_usd).toBe(limit);
    // Refused calls never reached the provider.
    expect(fake.requests).toHaveLength(N);

    const spent = await recordedSpend(first, user.id);
    expect(spent).toBe(limit);
    expect(compareDecimals(spent, limit)).toBeLessThanOrEqual(0);
    for (const r of replicas) expect(await r.gateway.services.limits.reservedNano(user.id)).toBe(0n);

    const budget = await call(`${replicas.at(-1)!.url}/api/budget`, { key });
    expect(budget.body.data).toMatchObject({
      limit_usd_exact: limit,
      spent_usd_exact: limit,
      reserved_usd_exact: "0",
      remaining_usd_exact: "0",
      percent_used: 100,
      status: "exceeded",
    });
    process.stdout.write(
      `[budget] ${setup.name}: fired ${10 * N}, admitted ${N}, refused ${9 * N}; spend ${spent} USD vs limit ${limit} USD\n`,
    );
  });
});
