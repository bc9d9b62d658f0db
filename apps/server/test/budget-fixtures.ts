import { randomBytes } from "node:crypto";
import { createLimitsFor, type Limits } from "@llmg/api";
import { addDecimals, type ChatMessage, estimatePromptTokens, maxCostFor, multiplyDecimal } from "@llmg/core";
import type { DbKind } from "@llmg/db";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import type { FakeProvider } from "@llmg/fake-providers";
import { Redis } from "ioredis";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

export const MESSAGES: ChatMessage[] = [{ role: "user", content: "Count to three." }];
export const MODEL = "gpt-4o-mini";

/** A unique Redis key prefix per test file, so files running in parallel never share counters. */
export function testPrefix(): string {
  return `llmg-test:${randomBytes(6).toString("hex")}:`;
}

/** Deletes this file's Redis keys: a FLUSHALL scoped to one prefix. */
export async function flushPrefix(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl()!);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}

/** One gateway, or two sharing one database and one Redis (two replicas). */
export async function startReplicas(
  kind: DbKind,
  count: 1 | 2,
  fake: FakeProvider,
  options: { redis: boolean; prefix: string; env?: Record<string, string> },
): Promise<TestGateway[]> {
  // Replicas share the encryption key, as real ones must, to read each other's credentials.
  const env = {
    LLMG_OPENAI_BASE_URL: fake.url,
    LLMG_REDIS_PREFIX: options.prefix,
    LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ...options.env,
  };
  const first = await startTestGateway(kind, { env, redis: options.redis });
  if (count === 1) return [first];
  const second = await startTestGateway(kind, { env, redis: options.redis, database: first.database });
  return [first, second];
}

export async function closeReplicas(replicas: TestGateway[]): Promise<void> {
  // The first owns the database: close it last.
  for (const r of [...replicas].reverse()) await r.close();
}

/** An OpenAI credential pointing at the fake, for the key's user. */
export async function addCredential(t: TestGateway, fake: FakeProvider, key: string): Promise<void> {
  const credential = await call(`${t.url}/api/credentials`, {
    key,
    body: { provider: "openai", name: "fake", api_key: fake.apiKey },
  });
  if (credential.status !== 201)
    throw new Error(`credential: ${credential.status} ${JSON.stringify(credential.body)}`);
}

/** A user with a key and an OpenAI credential pointing at the fake. */
export async function userWithCredential(
  t: TestGateway,
  fake: FakeProvider,
  user: Record<string, unknown> = {},
) {
  const created = await createUserWithKey(t, user);
  await addCredential(t, fake, created.key);
  return created;
}

export function chat(t: TestGateway, key: string, maxTokens: number, headers?: Record<string, string>) {
  return call(`${t.url}/api/chat/completions`, {
    key,
    body: { provider: "openai", model: MODEL, messages: MESSAGES, max_tokens: maxTokens },
    ...(headers ? { headers } : {}),
  });
}

/**
 * The fake answers with exactly the tokens the gateway reserves for (estimated prompt +
 * max_tokens), so a call's reservation equals its real cost and "N calls fit" is exact.
 */
export function exactUsage(maxTokens: number) {
  return { prompt: estimatePromptTokens(MESSAGES), completion: maxTokens };
}

export function costOfCall(t: TestGateway, maxTokens: number): string {
  const model = t.gateway.services.catalog.model("openai", MODEL);
  if (!model) throw new Error(`${MODEL} missing from the catalog`);
  return maxCostFor(model, estimatePromptTokens(MESSAGES), maxTokens);
}

export const times = (cost: string, n: number) => multiplyDecimal(cost, n);

export async function recordedSpend(t: TestGateway, userId: string): Promise<string> {
  const rows = await t.database.db
    .selectFrom("requests")
    .select("total_cost")
    .where("user_id", "=", userId)
    .execute();
  return addDecimals("0", ...rows.map((r) => r.total_cost));
}

/** Replaces a gateway's limits with ones on an injected clock (same store kind, same Redis). */
export function useClock(t: TestGateway, clock: () => number): Limits {
  const { services } = t.gateway;
  const limits = createLimitsFor({
    db: services.db,
    config: services.config,
    logger: services.logger,
    redis: services.redis,
    clock,
  });
  services.limiter = limits;
  services.limits = limits;
  return limits;
}

/** A suite's two setups: production (PostgreSQL + Redis, `replicas` gateways) when both are there, and embedded PGlite. */
export function modeSetups(replicas: 1 | 2) {
  const production =
    testRedisUrl() !== null && testBackends().includes("postgres")
      ? [
          {
            name: replicas === 2 ? "production mode, two replicas" : "production mode",
            kind: "postgres" as const,
            replicas,
            redis: true,
          },
        ]
      : [];
  return [
    ...production,
    { name: "embedded mode", kind: "pglite" as const, replicas: 1 as const, redis: false },
  ];
}
