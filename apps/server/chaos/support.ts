import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { resolve } from "node:path";
import { createRedisStore, defaultHome } from "@llmg/api";
import type { Database } from "@llmg/db";
import { Redis } from "ioredis";
import type { Kysely } from "kysely";

/**
 * Helpers of the chaos suite: the gateway as a real child process (so it can be killed), a
 * private redis-server, a TCP proxy that can cut PostgreSQL, and clients that tally answers.
 */

const repoRoot = resolve(import.meta.dirname, "../../..");
export const FAKE_KEY = "test-provider-key-0123456789";

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `ms` pass; returns its last answer. */
export async function waitFor(check: () => Promise<boolean> | boolean, ms: number, everyMs = 100) {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= until) return false;
    await sleep(everyMs);
  }
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `src/main.ts` as its own node process (no pnpm/tsx wrapper: its pid is the gateway's). */
export async function spawnGateway(env: Record<string, string>, timeoutMs = 90_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let seen = "";
  const exited = new Promise<number | string>((r) =>
    child.once("exit", (code, signal) => r(code ?? signal ?? "unknown")),
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start; output:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before listening; output:\n${seen}`));
    });
  });
  return {
    url,
    child,
    output: () => seen,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

export interface Account {
  userId: string;
  key: string;
}

async function post(url: string, key: string, body: unknown) {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data: Record<string, unknown> };
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** A user, its key and an OpenAI credential for the fake, created through the admin API. */
export async function createAccount(url: string, adminKey: string): Promise<Account> {
  const user = await post(`${url}/api/admin/users`, adminKey, {
    email: `chaos${randomBytes(5).toString("hex")}@example.com`,
  });
  const key = await post(`${url}/api/admin/users/${String(user.id)}/keys`, adminKey, {});
  await post(`${url}/api/credentials`, String(key.key), {
    provider: "openai",
    name: "fake",
    api_key: FAKE_KEY,
  });
  return { userId: String(user.id), key: String(key.key) };
}

export const adminKey = () => `llmg_admin_${randomBytes(24).toString("hex")}`;
export const encryptionKey = () => randomBytes(32).toString("base64");

/** One chat call's outcome as the client saw it. */
export interface Answer {
  status: number | "network";
  requestId: string | null;
  error?: string;
  stream: boolean;
  /** Streams: the last line `[DONE]` arrived (only then is a 200 stream a success). */
  complete: boolean;
  /** Date.now() when the call was sent, and when its answer was complete. */
  sentAt: number;
  endedAt?: number;
}

/** One OpenAI-style chat call; a stream is read to its end. Never throws. */
export async function chat(url: string, key: string, stream: boolean): Promise<Answer> {
  const sentAt = Date.now();
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hello" }],
        max_tokens: 50,
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      }),
    });
    const requestId = res.headers.get("x-llmg-request-id");
    const text = await res.text();
    const answer: Answer = {
      status: res.status,
      requestId,
      stream,
      complete: false,
      sentAt,
      endedAt: Date.now(),
    };
    if (stream && res.status === 200) {
      answer.complete = text.trimEnd().endsWith("data: [DONE]");
      const error = text.match(/"code":"(\w+)"/);
      if (!answer.complete && error?.[1]) answer.error = error[1];
    } else if (res.status === 200) {
      answer.complete = true;
    } else {
      try {
        const body = JSON.parse(text) as { error?: { code?: string } | string };
        answer.error = typeof body.error === "string" ? body.error : body.error?.code;
      } catch {
        answer.error = text.slice(0, 200);
      }
    }
    return answer;
  } catch (error) {
    return {
      status: "network",
      requestId: null,
      stream,
      complete: false,
      sentAt,
      error: (error as Error).message,
    };
  }
}

/**
 * `clients` loops of chat calls until `stop()` returns true or `maxCalls` calls were made in
 * all; every `streamEvery`-th call of a client streams.
 */
export async function load(options: {
  url: () => string;
  key: string;
  clients: number;
  maxCalls: number;
  stop: () => boolean;
  streamEvery?: number;
  onAnswer?: (answer: Answer) => void;
  pauseMs?: number;
}): Promise<Answer[]> {
  const answers: Answer[] = [];
  let started = 0;
  const client = async (index: number) => {
    for (let i = 0; !options.stop() && started < options.maxCalls; i++) {
      started++;
      const stream = options.streamEvery !== undefined && (i + index) % options.streamEvery === 0;
      const answer = await chat(options.url(), options.key, stream);
      answers.push(answer);
      options.onAnswer?.(answer);
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  return answers;
}

/**
 * The load a dependency fault runs under: `clients` loops from 2 s before `fault` until
 * `afterMs` after it returns; what `fault` returns (when the dependency was back) is handed on.
 */
export async function loadAround<T>(options: {
  url: () => string;
  key: string;
  clients: number;
  fault: () => Promise<T>;
  afterMs: number;
}): Promise<{ answers: Answer[]; fault: T; startedAt: number }> {
  let done = false;
  const running = load({
    url: options.url,
    key: options.key,
    clients: options.clients,
    maxCalls: 20_000,
    streamEvery: 5,
    pauseMs: 10,
    stop: () => done,
  });
  const startedAt = Date.now();
  await sleep(2_000);
  const fault = await options.fault();
  await sleep(options.afterMs);
  done = true;
  return { answers: await running, fault, startedAt };
}

/**
 * What a fault must leave in the books: the user's reservations back to 0 (`settled`, waited
 * for up to 10 s; `left` is what remains) and a usage row for every answered success.
 */
export async function booksAfter(options: {
  db: Kysely<Database>;
  redisUrl: string;
  prefix: string;
  userId: string;
  answers: Answer[];
}): Promise<{ settled: boolean; left: bigint; missing: Answer[] }> {
  const reserved = () => reservedNano(options.redisUrl, options.prefix, options.userId);
  const settled = await waitFor(async () => (await reserved()) === 0n, 10_000, 250);
  const left = await reserved();
  const rows = await options.db
    .selectFrom("requests")
    .select(["id", "status"])
    .where("user_id", "=", options.userId)
    .execute();
  const success = new Set(rows.filter((r) => r.status === "success").map((r) => r.id));
  const missing = successes(options.answers).filter((a) => !success.has(a.requestId!));
  return { settled, left, missing };
}

/** Counts of answers by status (and error code), for the printed figures. */
export function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const name =
      a.status === 200
        ? a.complete
          ? "200"
          : `200-cut(${a.error ?? "no end"})`
        : `${a.status}${a.error ? ` ${a.error}` : ""}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Calls answered as a success: a 200, and for a stream its last line. */
export const successes = (answers: Answer[]) =>
  answers.filter((a) => a.status === 200 && a.complete && a.requestId !== null);

/** The user's in-flight reservations in Redis, after dropping expired ones (as admissions do). */
export async function reservedNano(redisUrl: string, prefix: string, userId: string): Promise<bigint> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    return await createRedisStore(redis, prefix).reserved(defaultHome(userId));
  } finally {
    redis.disconnect();
  }
}

export interface RedisServer {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGKILL: no goodbye to clients, nothing saved. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a stalled server keeps its connections and answers late. */
  freeze(): void;
  thaw(): void;
}

/** A private redis-server (no persistence) that a test may kill and start again on its port. */
export async function privateRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      const proc = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: "ignore" },
      );
      child = proc;
      const probe = new Redis(server.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on("error", () => {});
      try {
        const up = await waitFor(async () => {
          try {
            if (probe.status !== "ready") await probe.connect();
            return (await probe.ping()) === "PONG";
          } catch {
            probe.disconnect();
            return false;
          }
        }, 10_000);
        if (!up) throw new Error(`redis-server on ${port} did not start`);
      } finally {
        probe.disconnect();
      }
    },
    freeze() {
      child?.kill("SIGSTOP");
    },
    thaw() {
      child?.kill("SIGCONT");
    },
    async kill() {
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGKILL");
      await gone;
    },
  };
  await server.start();
  return server;
}

export interface CuttableProxy {
  port: number;
  /** Destroys every open connection and turns new ones away until restore(). */
  cut(): void;
  restore(): void;
  /** Stops forwarding (connections stay open, new ones are accepted): a database that hangs. */
  freeze(): void;
  thaw(): void;
  readonly connections: number;
  close(): Promise<void>;
}

/** A TCP proxy to `target` on 127.0.0.1 whose connections the test can cut. */
export async function cuttableProxy(targetHost: string, targetPort: number): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  let refusing = false;
  let frozen = false;
  const server: Server = createServer((client: Socket) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    port,
    get connections() {
      return open.size / 2;
    },
    cut() {
      refusing = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      refusing = false;
    },
    freeze() {
      frozen = true;
      for (const socket of open) socket.pause();
    },
    thaw() {
      frozen = false;
      for (const socket of open) socket.resume();
    },
    close() {
      refusing = true;
      for (const socket of open) socket.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
