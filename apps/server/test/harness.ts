import { randomBytes } from "node:crypto";
import { configSchema } from "@llmg/api";
import type { NameResolver } from "@llmg/core";
import { type DbKind, openDatabase } from "@llmg/db";
import { openTestDatabase, type TestDatabase, testRedisUrl } from "@llmg/db/testing";
import { type Gateway, startGateway } from "../src/gateway";
import { createLogger } from "../src/logger";

export interface TestGateway {
  gateway: Gateway;
  url: string;
  adminKey: string;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  env?: Record<string, string>;
  /** Share another gateway's database (a second replica). */
  database?: TestDatabase;
  redis?: boolean;
  /** Where the gateway's JSON log lines go (default: nowhere unless LOG_LEVEL is set). */
  logLines?: string[];
  /** The egress guard's name resolution (a test's own DNS server). */
  egressResolver?: NameResolver;
}

// One Redis key prefix per test database: replicas sharing a database share their counters, while
// parallel test files never see each other's (and a developer's Redis is left tidy).
const redisPrefixes = new WeakMap<TestDatabase, string>();
function redisPrefixOf(database: TestDatabase): string {
  let prefix = redisPrefixes.get(database);
  if (!prefix) {
    prefix = `llmgtest:${randomBytes(4).toString("hex")}:`;
    redisPrefixes.set(database, prefix);
  }
  return prefix;
}

/** The real server on 127.0.0.1:0, on its own test database, with a known admin key. */
export async function startTestGateway(kind: DbKind, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const adminKey = `llmg_admin_${randomBytes(24).toString("hex")}`;
  const ownsDatabase = !options.database;
  const database = options.database ?? (await openTestDatabase(kind));
  const redisUrl = options.redis ? testRedisUrl() : null;
  const config = configSchema.parse({
    PORT: "0",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    LLMG_ADMIN_KEY: adminKey,
    LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...(redisUrl ? { REDIS_URL: redisUrl, LLMG_REDIS_PREFIX: redisPrefixOf(database) } : {}),
    ...options.env,
  });
  // The harness closes the test database itself. A second replica gets its own pool on the
  // same PostgreSQL database, as a real replica would.
  const handle =
    !ownsDatabase && database.url
      ? await openDatabase({ databaseUrl: database.url, poolSize: 5 })
      : { ...database, close: async () => {} };
  const lines = options.logLines;
  const destination = lines ? { write: (line: string) => void lines.push(line) } : undefined;
  const gateway = await startGateway({
    config,
    logger: createLogger(config.LOG_LEVEL, destination),
    database: handle,
    ...(options.egressResolver ? { egressResolver: options.egressResolver } : {}),
  });
  return {
    gateway,
    url: gateway.url,
    adminKey,
    database,
    async close() {
      await gateway.close();
      if (ownsDatabase) await database.close();
    },
  };
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch + JSON, with the bearer key; `body` may be an object or a raw string. */
export async function call<T = any>(
  url: string,
  init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(url, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Creates a user and one key for it through the admin API. */
export async function createUserWithKey(t: TestGateway, user: Record<string, unknown> = {}) {
  const email = `u${randomBytes(5).toString("hex")}@example.com`;
  const created = await call(`${t.url}/api/admin/users`, { key: t.adminKey, body: { email, ...user } });
  if (created.status !== 201)
    throw new Error(`create user: ${created.status} ${JSON.stringify(created.body)}`);
  const key = await call(`${t.url}/api/admin/users/${created.body.data.id}/keys`, {
    key: t.adminKey,
    body: {},
  });
  if (key.status !== 201) throw new Error(`create key: ${key.status} ${JSON.stringify(key.body)}`);
  return { user: created.body.data, key: key.body.data.key as string, keyId: key.body.data.id as string };
}
