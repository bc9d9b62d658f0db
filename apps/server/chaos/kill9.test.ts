import { randomBytes } from "node:crypto";
import { openTestDatabase, type TestDatabase, testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  adminKey,
  chat,
  createAccount,
  encryptionKey,
  FAKE_KEY,
  type GatewayProcess,
  load,
  reservedNano,
  spawnGateway,
  successes,
  tally,
  waitFor,
} from "./support";

/**
 * kill -9 of a gateway under 16 concurrent clients. What was answered as a success must have its
 * usage row (rows are committed before the answer), and the dead process's reservations, which
 * nobody will ever settle, expire with LLMG_RESERVATION_TTL_MS.
 */
const redisUrl = testRedisUrl();
const RESERVATION_TTL_MS = 3_000;
const CLIENTS = 16;
// The kill comes once this many calls were answered: enough that it lands mid-load.
const KILL_AFTER = 150;

describe.skipIf(!redisUrl || !testBackends().includes("postgres"))("kill -9 under load", () => {
  let database: TestDatabase;
  let fake: FakeProvider;
  let env: Record<string, string>;
  const processes: GatewayProcess[] = [];
  const prefix = `llmgchaos:${randomBytes(4).toString("hex")}:`;

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    fake = await startFakeProvider("openai", {
      apiKey: FAKE_KEY,
      // Long enough that 16 calls are always in flight, short beside the reservation TTL.
      defaultBehavior: { type: "delay", ms: 40, next: { type: "success" } },
    });
    env = {
      DATABASE_URL: database.url!,
      REDIS_URL: redisUrl!,
      LLMG_REDIS_PREFIX: prefix,
      LLMG_ADMIN_KEY: adminKey(),
      LLMG_ENCRYPTION_KEY: encryptionKey(),
      LLMG_OPENAI_BASE_URL: fake.url,
      LLMG_RESERVATION_TTL_MS: String(RESERVATION_TTL_MS),
    };
  });
  afterAll(async () => {
    for (const p of processes) p.kill("SIGKILL");
    await Promise.all(processes.map((p) => p.exited));
    await fake?.close();
    await database?.close();
  });

  it("answers no 200 without a row, and the dead process's reservations expire", async () => {
    const first = await spawnGateway(env);
    processes.push(first);
    const account: Account = await createAccount(first.url, env.LLMG_ADMIN_KEY!);

    let answered = 0;
    let killedAt = 0;
    const started = Date.now();
    const answers = await load({
      url: () => first.url,
      key: account.key,
      clients: CLIENTS,
      maxCalls: 5_000,
      streamEvery: 4,
      stop: () => killedAt > 0 || Date.now() - started > 60_000,
      onAnswer: (a) => {
        if (a.status === 200 && ++answered === KILL_AFTER) {
          killedAt = Date.now();
          first.kill("SIGKILL");
        }
      },
    });
    expect(killedAt).toBeGreaterThan(0);
    expect(await first.exited).toBe("SIGKILL");
    // Read before the TTL passes: the dead process did leave reservations behind.
    const leftBehind = await reservedNano(redisUrl!, prefix, account.userId);

    const ok = successes(answers);
    const ids = ok.map((a) => a.requestId!);
    const rows = await database.db
      .selectFrom("requests")
      .select(["id", "status"])
      .where("user_id", "=", account.userId)
      .execute();
    const status = new Map(rows.map((r) => [r.id, r.status]));
    const missing = ids.filter((id) => status.get(id) !== "success");
    const figures = {
      calls: answers.length,
      answers: tally(answers),
      success_answers: ok.length,
      rows: rows.length,
      success_rows: rows.filter((r) => r.status === "success").length,
      success_answers_without_row: missing.length,
      reserved_nano_after_kill: leftBehind.toString(),
      load_ms: killedAt - started,
    };
    process.stdout.write(`[chaos kill-9] ${JSON.stringify(figures)}\n`);
    expect(ok.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(missing).toEqual([]);
    // Nothing was refused for a reason of ours before the kill.
    expect(answers.filter((a) => typeof a.status === "number" && a.status >= 500)).toEqual([]);
    expect(leftBehind).toBeGreaterThan(0n);

    // Restart on the same database and Redis: it serves at once, and once the TTL has passed
    // the dead process's reservations are gone (its own calls settle theirs).
    const second = await spawnGateway(env);
    processes.push(second);
    const after = await chat(second.url, account.key, false);
    expect(after.status).toBe(200);
    const restartedAt = Date.now();
    const drained = await waitFor(
      async () => (await reservedNano(redisUrl!, prefix, account.userId)) === 0n,
      RESERVATION_TTL_MS + 10_000,
      250,
    );
    process.stdout.write(
      `[chaos kill-9] reservations back to 0: ${drained} after ${Date.now() - restartedAt} ms (TTL ${RESERVATION_TTL_MS} ms)\n`,
    );
    expect(drained).toBe(true);
    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
