import { randomBytes } from "node:crypto";
import { openTestDatabase, type TestDatabase, testBackends, testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Answer,
  adminKey,
  booksAfter,
  type CuttableProxy,
  createAccount,
  cuttableProxy,
  encryptionKey,
  FAKE_KEY,
  type GatewayProcess,
  loadAround,
  sleep,
  spawnGateway,
  successes,
  tally,
} from "./support";

/**
 * The gateway's PostgreSQL connections are cut under load (and new ones turned away for a few
 * seconds), then the database hangs (nothing forwarded), through a TCP proxy between the two. Calls meanwhile answer 503 — never a 500, and
 * never a 200 for a call whose usage row could not be committed — and succeed again once the
 * database is back, with every reservation settled or released.
 */
const redisUrl = testRedisUrl();
const CLIENTS = 8;
const OUTAGE_MS = 5_000;
const RECOVERY_MS = 3_000;
// Short database timeouts (the client gives up 5 s after the statement timeout), so that a
// hang of HANG_MS is answered with 503s before it ends.
const STATEMENT_TIMEOUT_MS = 2_000;
const CONNECT_TIMEOUT_MS = 1_000;
const HANG_MS = 12_000;
// usage_unavailable: the provider answered but the row could not be committed, so the call is
// not answered as a success (the recorder's answer when the database fails under it).
const UNAVAILABLE = new Set(["database_unavailable", "limits_unavailable", "usage_unavailable"]);

describe.skipIf(!redisUrl || !testBackends().includes("postgres"))(
  "PostgreSQL connection cut under load",
  () => {
    let database: TestDatabase;
    let fake: FakeProvider;
    let proxy: CuttableProxy;
    let gateway: GatewayProcess | undefined;
    let account: Account;
    const prefix = `llmgchaos:${randomBytes(4).toString("hex")}:`;

    beforeAll(async () => {
      database = await openTestDatabase("postgres");
      const direct = new URL(database.url!);
      proxy = await cuttableProxy(direct.hostname, Number(direct.port || 5432));
      const viaProxy = new URL(database.url!);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(proxy.port);
      fake = await startFakeProvider("openai", {
        apiKey: FAKE_KEY,
        defaultBehavior: { type: "delay", ms: 30, next: { type: "success" } },
      });
      const admin = adminKey();
      gateway = await spawnGateway({
        DATABASE_URL: viaProxy.toString(),
        REDIS_URL: redisUrl!,
        LLMG_REDIS_PREFIX: prefix,
        LLMG_ADMIN_KEY: admin,
        LLMG_ENCRYPTION_KEY: encryptionKey(),
        LLMG_OPENAI_BASE_URL: fake.url,
        LLMG_RESERVATION_TTL_MS: "600000",
        LLMG_DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        LLMG_DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      });
      account = await createAccount(gateway.url, admin);
    });
    afterAll(async () => {
      gateway?.kill("SIGKILL");
      await gateway?.exited;
      await proxy?.close();
      await fake?.close();
      await database?.close();
    });

    /** Runs load around `fault` (which returns when the database is back) and checks the promises. */
    async function underLoad(name: string, fault: () => Promise<{ downAt: number; backAt: number }>) {
      const {
        answers,
        fault: outageTimes,
        startedAt,
      } = await loadAround({
        url: () => gateway!.url,
        key: account.key,
        clients: CLIENTS,
        fault,
        afterMs: RECOVERY_MS + 3_000,
      });
      const { downAt, backAt } = outageTimes;
      const recovered = answers.filter((a) => a.sentAt >= backAt + RECOVERY_MS);
      const outage = answers.filter((a) => a.sentAt >= downAt && a.sentAt < backAt);
      const { settled, left, missing } = await booksAfter({
        db: database.db,
        redisUrl: redisUrl!,
        prefix,
        userId: account.userId,
        answers,
      });
      const ok = successes(answers);
      // Answered while the database was still down: only timeouts can make those.
      const answeredWhileDown = outage.filter((a) => a.status === 503 && (a.endedAt ?? Infinity) < backAt);
      process.stdout.write(
        `[chaos postgres ${name}] ${JSON.stringify({
          calls: answers.length,
          answers: tally(answers),
          sent_during_outage: tally(outage),
          answered_503_while_down: answeredWhileDown.length,
          after_recovery: tally(recovered),
          success_answers: ok.length,
          success_answers_without_row: missing.length,
          reserved_nano_after_settle: left.toString(),
          ms: Date.now() - startedAt,
        })}\n`,
      );
      const unexpected = (list: Answer[]) =>
        list.filter(
          (a) =>
            a.status === "network" ||
            (a.status >= 500 && !(a.status === 503 && UNAVAILABLE.has(a.error ?? ""))) ||
            (a.status === 200 && !a.complete && !UNAVAILABLE.has(a.error ?? "")),
        );
      if (unexpected(answers).length > 0)
        process.stdout.write(`gateway output:\n${gateway!.output().slice(-6_000)}\n`);
      expect(unexpected(answers)).toEqual([]);
      expect(answeredWhileDown.length).toBeGreaterThan(0);
      expect(recovered.length).toBeGreaterThan(20);
      expect(recovered.filter((a) => a.status !== 200 || !a.complete)).toEqual([]);
      expect(missing).toEqual([]);
      expect(settled).toBe(true);
    }

    it("answers 503 while its connections are cut, records every 200, recovers, leaks nothing", async () => {
      await underLoad("cut", async () => {
        const downAt = Date.now();
        proxy.cut();
        await sleep(OUTAGE_MS);
        proxy.restore();
        return { downAt, backAt: Date.now() };
      });
    });

    it("answers 503 within the timeouts while the database hangs, then recovers", async () => {
      await underLoad("hang", async () => {
        const downAt = Date.now();
        proxy.freeze();
        await sleep(HANG_MS);
        proxy.thaw();
        return { downAt, backAt: Date.now() };
      });
    });
  },
);
