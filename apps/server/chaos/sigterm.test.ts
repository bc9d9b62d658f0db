import { randomBytes } from "node:crypto";
import { openTestDatabase, type TestDatabase, testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeBehavior, type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Answer,
  adminKey,
  chat,
  createAccount,
  encryptionKey,
  FAKE_KEY,
  type GatewayProcess,
  reservedNano,
  spawnGateway,
  waitFor,
} from "./support";

/**
 * SIGTERM with long calls in flight: the gateway stops accepting connections at once, lets the
 * calls that end within LLMG_SHUTDOWN_GRACE_MS finish and record, and aborts the ones that would
 * not — they are still recorded (error `shutdown`, partial usage) and the client is told.
 */
const redisUrl = testRedisUrl();
const GRACE_MS = 22_000;
const CALL_MS = 15_000;
const FRAME_MS = 1_500;

const slow = (stream: boolean, ms: number): FakeBehavior =>
  stream
    ? // A frame every 1.5 s: the role, the chunks, the finish, the usage and [DONE] take `ms`.
      {
        type: "stream",
        chunks: Array.from({ length: Math.round(ms / FRAME_MS) - 3 }, (_, i) => `part${i} `),
        chunkDelayMs: FRAME_MS,
        usage: { prompt: 12, completion: 40 },
      }
    : {
        type: "delay",
        ms,
        next: { type: "success", content: "done", usage: { prompt: 12, completion: 40 } },
      };

describe.skipIf(!redisUrl || !testBackends().includes("postgres"))("SIGTERM with calls in flight", () => {
  let database: TestDatabase;
  let fake: FakeProvider;
  let gateway: GatewayProcess | undefined;
  const prefix = `llmgchaos:${randomBytes(4).toString("hex")}:`;

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    fake = await startFakeProvider("openai", { apiKey: FAKE_KEY });
  });
  afterAll(async () => {
    gateway?.kill("SIGKILL");
    await gateway?.exited;
    await fake?.close();
    await database?.close();
  });

  it("finishes and records the calls that fit the grace, aborts and records the rest, then exits", async () => {
    const admin = adminKey();
    gateway = await spawnGateway({
      DATABASE_URL: database.url!,
      REDIS_URL: redisUrl!,
      LLMG_REDIS_PREFIX: prefix,
      LLMG_ADMIN_KEY: admin,
      LLMG_ENCRYPTION_KEY: encryptionKey(),
      LLMG_OPENAI_BASE_URL: fake.url,
      LLMG_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      // Long: a reservation gone by now was settled or released, not expired.
      LLMG_RESERVATION_TTL_MS: "600000",
      LLMG_PROVIDER_TIMEOUT_MS: "120000",
    });
    const { url } = gateway;
    const account = await createAccount(url, admin);

    // Each call is sent once the previous one reached the fake, so each gets its behaviour.
    const plan = [
      { stream: false, ms: CALL_MS },
      { stream: true, ms: CALL_MS },
      { stream: false, ms: CALL_MS },
      { stream: true, ms: CALL_MS },
      { stream: false, ms: 90_000 },
      { stream: true, ms: 90_000 },
    ];
    const calls: Promise<Answer>[] = [];
    for (const step of plan) {
      const before = fake.requests.length;
      fake.enqueue(slow(step.stream, step.ms));
      calls.push(chat(url, account.key, step.stream));
      expect(await waitFor(() => fake.requests.length > before, 10_000, 20)).toBe(true);
    }

    const signalledAt = Date.now();
    gateway.kill("SIGTERM");
    // New connections are refused while it drains.
    const refused = await waitFor(
      async () => {
        try {
          await fetch(`${url}/healthz`);
          return false;
        } catch {
          return true;
        }
      },
      3_000,
      50,
    );
    expect(refused).toBe(true);
    const refusedAfterMs = Date.now() - signalledAt;

    const answers = await Promise.all(calls);
    const exit = await gateway.exited;
    const exitedAfterMs = Date.now() - signalledAt;
    const rows = await database.db
      .selectFrom("requests")
      .select(["id", "status", "http_status", "error_code", "stream", "completion_tokens", "prompt_tokens"])
      .where("user_id", "=", account.userId)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const reserved = await reservedNano(redisUrl!, prefix, account.userId);
    process.stdout.write(
      `[chaos sigterm] ${JSON.stringify({
        answers: answers.map((a) => ({
          status: a.status,
          stream: a.stream,
          complete: a.complete,
          error: a.error,
        })),
        rows: rows.map((r) => ({
          status: r.status,
          http: r.http_status,
          code: r.error_code,
          stream: r.stream,
          completion_tokens: r.completion_tokens,
        })),
        refused_after_ms: refusedAfterMs,
        exited_after_ms: exitedAfterMs,
        exit,
        reserved_nano: reserved.toString(),
      })}\n`,
    );

    expect(exit).toBe(0);
    // The 15 s calls: answered in full and recorded as successes.
    for (const answer of answers.slice(0, 4)) {
      expect(answer).toMatchObject({ status: 200, complete: true });
      expect(byId.get(answer.requestId!)).toMatchObject({ status: "success", completion_tokens: 40 });
    }
    // The calls longer than the grace: aborted with an answer, and recorded with the reason.
    const [plain, streamed] = answers.slice(4);
    expect(plain).toMatchObject({ status: 503, error: "shutdown" });
    expect(byId.get(plain!.requestId!)).toMatchObject({
      status: "error",
      http_status: 503,
      error_code: "shutdown",
    });
    expect(streamed).toMatchObject({ status: 200, complete: false, error: "shutdown" });
    const streamedRow = byId.get(streamed!.requestId!);
    expect(streamedRow).toMatchObject({ status: "error", http_status: 503, error_code: "shutdown" });
    // What the provider streamed before the abort is charged.
    expect(streamedRow!.completion_tokens).toBeGreaterThan(0);
    expect(rows).toHaveLength(plan.length);
    // Settled or released before Redis was closed.
    expect(reserved).toBe(0n);
    // Generous bounds only: it waited for the 15 s calls, and did not wait for the 90 s ones.
    expect(exitedAfterMs).toBeGreaterThan(CALL_MS - 5_000);
    expect(exitedAfterMs).toBeLessThan(60_000);
  });
});
