import { randomBytes } from "node:crypto";
import { openTestDatabase, type TestDatabase, testBackends } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Answer,
  adminKey,
  booksAfter,
  createAccount,
  encryptionKey,
  FAKE_KEY,
  type GatewayProcess,
  loadAround,
  privateRedis,
  type RedisServer,
  sleep,
  spawnGateway,
  tally,
} from "./support";

/**
 * Redis, which holds the budget reservations and rate-limit counters, fails under load: first
 * killed and restarted empty, then stalled (SIGSTOP) so that it executes the commands queued
 * meanwhile only when it resumes, long after the gateway gave up on them. Calls meanwhile get
 * 503 limits_unavailable (never a 500), succeed again once Redis is back, and no reservation is
 * left behind: the TTL is set far beyond the test, so only settles, releases and the cancels of
 * given-up admissions can bring the counter back to 0.
 */
const CLIENTS = 8;
const OUTAGE_MS = 4_000;
// Reconnect backoff (under 2 s) plus the limiter's 1 s breaker, with a margin.
const RECOVERY_MS = 5_000;

describe.skipIf(!testBackends().includes("postgres"))("Redis stopped and restarted under load", () => {
  let database: TestDatabase;
  let fake: FakeProvider;
  let redis: RedisServer;
  let gateway: GatewayProcess | undefined;
  let account: Account;
  const prefix = `llmgchaos:${randomBytes(4).toString("hex")}:`;

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    fake = await startFakeProvider("openai", {
      apiKey: FAKE_KEY,
      defaultBehavior: { type: "delay", ms: 30, next: { type: "success" } },
    });
    redis = await privateRedis();
    const admin = adminKey();
    gateway = await spawnGateway({
      DATABASE_URL: database.url!,
      REDIS_URL: redis.url,
      LLMG_REDIS_PREFIX: prefix,
      LLMG_ADMIN_KEY: admin,
      LLMG_ENCRYPTION_KEY: encryptionKey(),
      LLMG_OPENAI_BASE_URL: fake.url,
      LLMG_RESERVATION_TTL_MS: "600000",
    });
    account = await createAccount(gateway.url, admin);
  });
  afterAll(async () => {
    redis?.thaw();
    gateway?.kill("SIGKILL");
    await gateway?.exited;
    await redis?.kill();
    await fake?.close();
    await database?.close();
  });

  /** Runs load around `fault` and checks what every fault must leave: see the file's comment. */
  async function underLoad(name: string, fault: () => Promise<number>) {
    const {
      answers,
      fault: backAt,
      startedAt,
    } = await loadAround({
      url: () => gateway!.url,
      key: account.key,
      clients: CLIENTS,
      fault,
      afterMs: RECOVERY_MS + 3_000,
    });
    const recovered = answers.filter((a) => a.sentAt >= backAt + RECOVERY_MS);
    const during = answers.filter((a) => a.sentAt < backAt);
    const { settled, left, missing } = await booksAfter({
      db: database.db,
      redisUrl: redis.url,
      prefix,
      userId: account.userId,
      answers,
    });
    process.stdout.write(
      `[chaos redis ${name}] ${JSON.stringify({
        calls: answers.length,
        answers: tally(answers),
        before_and_during_outage: tally(during),
        after_recovery: tally(recovered),
        success_answers_without_row: missing.length,
        reserved_nano_after_settle: left.toString(),
        ms: Date.now() - startedAt,
      })}\n`,
    );
    const serverErrors = (list: Answer[]) =>
      list.filter(
        (a) =>
          a.status === "network" ||
          (a.status >= 500 && !(a.status === 503 && a.error === "limits_unavailable")),
      );
    expect(serverErrors(answers)).toEqual([]);
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    expect(recovered.length).toBeGreaterThan(20);
    expect(recovered.filter((a) => a.status !== 200 || !a.complete)).toEqual([]);
    expect(missing).toEqual([]);
    expect(settled).toBe(true);
  }

  it("answers 503 limits_unavailable while Redis is down, recovers after its restart, leaks nothing", async () => {
    await underLoad("restart", async () => {
      await redis.kill();
      await sleep(OUTAGE_MS);
      await redis.start();
      return Date.now();
    });
  });

  it("cancels the admissions a stalled Redis runs late, so they leave no reservation", async () => {
    await underLoad("stall", async () => {
      redis.freeze();
      await sleep(OUTAGE_MS);
      redis.thaw();
      return Date.now();
    });
  });
});
