import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { resolve } from "node:path";
import { openTestDatabase, type TestDatabase } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * A hostile upstream against a real replica: the gateway runs as its own process with the default
 * caps (32 MiB per body or event, 256 MiB per stream), and its resident memory is read from
 * /proc/<pid>/status while the fake sends a 200 MB body, an endless stream, a 100 MB line, and
 * while a client stops reading a fast endless stream. Each must end with an error and a usage
 * row, and the replica's RSS must stay within RSS_BUDGET_MB of its warmed-up baseline.
 */

const repoRoot = resolve(import.meta.dirname, "../../..");
const RSS_BUDGET_MB = 150;
const STREAM_DEADLINE_MS = 5_000;
const FAKE_KEY = "sk-hostile-upstream-0123456789";
const MB = 1024 * 1024;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) / 1024;
}

/** Samples the process's RSS every 20 ms until stopped; returns the highest value seen. */
function sampleRss(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(pid));
    } catch {
      // The process is gone; the assertion on its answer will say why.
    }
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

function startGatewayProcess(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolvePromise, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${seen}`)), 90_000);
    const onData = (chunk: Buffer) => {
      // Only the tail is kept, for the error message.
      seen = (seen + chunk.toString()).slice(-20_000);
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1] });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${seen}`));
    });
  });
}

async function json(url: string, key: string, body: unknown) {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** Reads a response to its end, counting and discarding the bytes. */
async function drain(res: Response): Promise<{ bytes: number; tail: string }> {
  const reader = res.body!.getReader();
  let bytes = 0;
  let tail = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    tail = (tail + Buffer.from(value).toString("utf8")).slice(-2_000);
  }
  return { bytes, tail };
}

describe("a hostile upstream against a gateway process", () => {
  let database: TestDatabase;
  let fake: FakeProvider;
  let gateway: ChildProcess;
  let url: string;
  let userKey: string;
  let baseline: number;
  const figures: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    fake = await startFakeProvider("openai", { apiKey: FAKE_KEY });
    const adminKey = `llmg_admin_${randomBytes(24).toString("hex")}`;
    ({ child: gateway, url } = await startGatewayProcess({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: "0",
      LOG_LEVEL: "warn",
      DATABASE_URL: database.url,
      LLMG_ADMIN_KEY: adminKey,
      LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      LLMG_OPENAI_BASE_URL: fake.url,
      LLMG_EGRESS_ALLOW: "127.0.0.1",
      LLMG_PROVIDER_MAX_RETRIES: "0",
      LLMG_PROVIDER_STREAM_TIMEOUT_MS: String(STREAM_DEADLINE_MS),
      // Each case fails the one credential on purpose; its circuit must not refuse the next case.
      LLMG_BREAKER_FAILURES: "1000",
    }));
    const user = await json(`${url}/api/admin/users`, adminKey, { email: "hostile@example.com" });
    const key = await json(`${url}/api/admin/users/${user.body.data.id}/keys`, adminKey, {});
    userKey = key.body.data.key;
    const credential = await json(`${url}/api/credentials`, userKey, {
      provider: "openai",
      name: "fake",
      api_key: FAKE_KEY,
    });
    expect(credential.status).toBe(201);

    // Warm-up: every code path the cases take, once normally, so the baseline includes the
    // tokenizer, the JIT'd parsers and the connection pools.
    for (let i = 0; i < 20; i++) {
      fake.enqueue({ type: "success", content: "warm ".repeat(2000) });
      expect((await chat(false)).status).toBe(200);
      fake.enqueue({ type: "stream", chunks: Array.from({ length: 50 }, () => "warm ".repeat(40)) });
      const streamed = await chat(true);
      expect(streamed.status).toBe(200);
      await drain(streamed);
    }
    await new Promise((done) => setTimeout(done, 1_000));
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(rssMb(gateway.pid!));
      await new Promise((done) => setTimeout(done, 100));
    }
    baseline = Math.max(...samples);
    figures.push(`baseline after warm-up: ${baseline.toFixed(1)} MB`);
  }, 180_000);

  afterAll(async () => {
    // The figures the README quotes.
    process.stdout.write(
      `\nhostile upstream, gateway RSS (budget +${RSS_BUDGET_MB} MB):\n  ${figures.join("\n  ")}\n\n`,
    );
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((done) => gateway.once("exit", done));
      gateway.kill("SIGKILL");
      await exited;
    }
    await fake?.close();
    await database?.close();
  });

  function chat(stream: boolean): Promise<Response> {
    return fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${userKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "go" }], stream }),
    });
  }

  async function row(id: string) {
    for (let i = 0; i < 200; i++) {
      const found = await database.db
        .selectFrom("requests")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (found) return found;
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error(`no usage row for ${id}`);
  }

  /** Runs one case while sampling the gateway's RSS, records the figures and checks the budget. */
  async function measured<T>(name: string, run: () => Promise<T>, growthBudgetMb?: number): Promise<T> {
    const before = rssMb(gateway.pid!);
    const sampler = sampleRss(gateway.pid!);
    const started = performance.now();
    let result: T;
    try {
      result = await run();
    } finally {
      const peak = sampler.stop();
      figures.push(
        `${name}: before ${before.toFixed(1)} MB, peak ${peak.toFixed(1)} MB (+${(peak - baseline).toFixed(1)} over baseline), ${Math.round(performance.now() - started)} ms`,
      );
      expect(gateway.exitCode).toBeNull();
      expect(peak - baseline).toBeLessThan(RSS_BUDGET_MB);
      if (growthBudgetMb !== undefined) expect(peak - before).toBeLessThan(growthBudgetMb);
    }
    return result;
  }

  it("a 200 MB non-streamed body ends at the 32 MiB cap with a 502 and a usage row", async () => {
    fake.enqueue({ type: "hugeBody", bytes: 200 * MB });
    const res = await measured("200 MB body", () => chat(false));
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain(`response body exceeded ${32 * MB} bytes`);
    expect(await row(res.headers.get("x-llmg-request-id")!)).toMatchObject({
      status: "error",
      http_status: 502,
      error_code: "provider_error",
    });
  });

  it("a 200 MB error body is read only in part and keeps the provider's status", async () => {
    fake.enqueue({ type: "hugeBody", bytes: 200 * MB, status: 500 });
    const res = await measured("200 MB error body", () => chat(false));
    expect(res.status).toBe(500);
    await res.json();
    expect(await row(res.headers.get("x-llmg-request-id")!)).toMatchObject({
      status: "error",
      http_status: 500,
    });
  });

  it("a 100 MB line without an end stops at the 32 MiB event cap with a 502", async () => {
    fake.enqueue({ type: "hugeLine", bytes: 100 * MB });
    const res = await measured("100 MB line", () => chat(true));
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain("stream event exceeded");
    expect(await row(res.headers.get("x-llmg-request-id")!)).toMatchObject({
      status: "error",
      http_status: 502,
      stream: true,
    });
  });

  it("a never-ending stream ends at the stream deadline (or the stream cap) with its usage charged", async () => {
    fake.enqueue({ type: "endlessStream", text: "tick " });
    const { res, read } = await measured("endless stream, client reading", async () => {
      const res = await chat(true);
      return { res, read: await drain(res) };
    });
    expect(res.status).toBe(200);
    expect(read.tail).toMatch(/"code":"provider_(timeout|error)"/);
    figures.push(`  (the client received ${(read.bytes / MB).toFixed(1)} MB before the end)`);
    const r = await row(res.headers.get("x-llmg-request-id")!);
    expect(["provider_timeout", "provider_error"]).toContain(r.error_code);
    expect(r.completion_tokens).toBeGreaterThan(0);
    expect(Number(r.total_cost)).toBeGreaterThan(0);
  });

  it("a client that stops reading a fast endless stream is held back, then cut at the deadline", async () => {
    fake.reset();
    fake.enqueue({ type: "endlessStream", text: "tick ".repeat(2000) });
    const requestId = await measured(
      "endless stream, client not reading",
      async () => {
        const id = await new Promise<string>((resolvePromise, reject) => {
          const req = httpRequest(`${url}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${userKey}`, "content-type": "application/json" },
          });
          req.on("error", reject);
          req.on("response", (res) => {
            res.pause(); // and never resumed: the socket stays full
            resolvePromise(String(res.headers["x-llmg-request-id"]));
          });
          req.end(
            JSON.stringify({
              model: "gpt-4o-mini",
              messages: [{ role: "user", content: "go" }],
              stream: true,
            }),
          );
        });
        // The case lasts until the gateway gave up on the client.
        return { id, row: await row(id) };
        // Held back, the gateway holds a few events at most; reading on for the client (no
        // backpressure) grew it by ~50 MB in these 5 s on the development machine.
      },
      20,
    );
    expect(requestId.row).toMatchObject({ status: "error", http_status: 499, error_code: "client_closed" });
    expect(requestId.row.latency_ms).toBeGreaterThanOrEqual(STREAM_DEADLINE_MS - 100);
    await expect.poll(() => fake.requests.at(-1)?.aborted, { timeout: 5_000 }).toBe(true);
  });
});
