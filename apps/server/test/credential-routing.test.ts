import { randomBytes } from "node:crypto";
import { testRedisUrl } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeReplicas, flushPrefix, modeSetups, testPrefix } from "./budget-fixtures";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

/**
 * Several credentials per provider: calls are spread by weight, and a credential whose calls
 * keep failing has its circuit opened, on one replica for all of them (state in Redis), or in
 * process when embedded. Each credential points at its own fake OpenAI (its base_url), so a
 * test can make one key fail and count which key each call used.
 */
const FAILURES = 3;
const setups = modeSetups(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A replica trusts the shared circuit state it read for at most a second (routing/breaker.ts).
const VIEW_TTL_MS = 1_000;
const MESSAGES = [{ role: "user", content: "Count to three." }];
const providerError = (status: number) => ({ type: "error" as const, status, message: `fake ${status}` });

describe.each(setups)("credential routing: $name", (setup) => {
  const fakes: FakeProvider[] = [];
  const prefix = testPrefix();
  let replicas: TestGateway[] = [];
  let shortReplicas: TestGateway[] = [];
  let a: FakeProvider;
  let b: FakeProvider;

  /** Gateways over one database (and one Redis): a long cool-down, or a short one to see it end. */
  async function start(cooldownMs: number, redisPrefix: string): Promise<TestGateway[]> {
    const env = {
      LLMG_REDIS_PREFIX: redisPrefix,
      // Replicas share the encryption key, as real ones must, to read each other's credentials.
      LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      LLMG_EGRESS_ALLOW: fakes.map((f) => `127.0.0.1:${f.port}`).join(","),
      // One provider call per chat call, so each failing call is one failure.
      LLMG_PROVIDER_MAX_RETRIES: "0",
      LLMG_PROVIDER_TIMEOUT_MS: "3000",
      LLMG_BREAKER_FAILURES: String(FAILURES),
      LLMG_BREAKER_COOLDOWN_MS: String(cooldownMs),
    };
    const first = await startTestGateway(setup.kind, { env, redis: setup.redis });
    if (setup.replicas === 1) return [first];
    const second = await startTestGateway(setup.kind, { env, redis: setup.redis, database: first.database });
    return [first, second];
  }

  beforeAll(async () => {
    a = await startFakeProvider("openai", { apiKey: `key-a-${randomBytes(8).toString("hex")}` });
    b = await startFakeProvider("openai", { apiKey: `key-b-${randomBytes(8).toString("hex")}` });
    fakes.push(a, b);
    replicas = await start(60_000, prefix);
    shortReplicas = await start(1_000, `${prefix}short:`);
  }, 60_000);

  afterAll(async () => {
    await closeReplicas(replicas);
    await closeReplicas(shortReplicas);
    await Promise.all(fakes.map((f) => f.close()));
    if (setup.redis) await flushPrefix(prefix);
  });

  const healthy = () => {
    for (const f of fakes) {
      f.reset();
      f.setDefault({ type: "success" });
    }
  };

  /** A user whose OpenAI credentials point at the given fakes, with these weights. */
  async function userWith(on: TestGateway, ...keys: { fake: FakeProvider; weight?: number }[]) {
    const user = await createUserWithKey(on);
    const ids: string[] = [];
    for (const [i, k] of keys.entries()) {
      const res = await call(`${on.url}/api/credentials`, {
        key: user.key,
        body: {
          provider: "openai",
          name: `key-${i}`,
          api_key: k.fake.apiKey,
          base_url: k.fake.url,
          ...(k.weight !== undefined ? { weight: k.weight } : {}),
        },
      });
      if (res.status !== 201) throw new Error(`credential: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.data.id);
    }
    return { ...user, ids };
  }

  const chat = (on: TestGateway, key: string) =>
    call(`${on.url}/api/chat/completions`, {
      key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: MESSAGES, max_tokens: 10 },
    });

  async function health(on: TestGateway, key: string, id: string) {
    const res = await call(`${on.url}/api/credentials`, { key });
    expect(res.status).toBe(200);
    return res.body.data.find((c: { id: string }) => c.id === id);
  }

  /** Calls on `on` until `fake` has seen `count` requests (each of these calls fails there). */
  async function failUntil(on: TestGateway, key: string, fake: FakeProvider, count: number) {
    for (let i = 0; i < 200 && fake.requests.length < count; i++) await chat(on, key);
    expect(fake.requests.length).toBe(count);
  }

  it("takes weight 1..1000 on create and update, and refuses anything else naming the field", async () => {
    const on = replicas[0]!;
    const user = await userWith(on, { fake: a });
    const id = user.ids[0]!;
    const listed = await call(`${on.url}/api/credentials/${id}`, { key: user.key });
    expect(listed.body.data).toMatchObject({
      weight: 1,
      health: { state: "closed", consecutive_failures: 0 },
    });
    const updated = await call(`${on.url}/api/credentials/${id}`, {
      key: user.key,
      method: "PUT",
      body: { weight: 1000 },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data.weight).toBe(1000);
    for (const weight of [0, 1001, 1.5, -1, null, "many"]) {
      const bad = await call(`${on.url}/api/credentials/${id}`, {
        key: user.key,
        method: "PUT",
        body: { weight },
      });
      expect(bad.status, JSON.stringify(weight)).toBe(400);
      expect(bad.body).toMatchObject({ success: false, error: "validation_error" });
      expect(bad.body.details[0].field).toBe("weight");
      const created = await call(`${on.url}/api/credentials`, {
        key: user.key,
        body: { provider: "openai", name: "bad", api_key: a.apiKey, weight },
      });
      expect(created.status).toBe(400);
      expect(created.body.details[0].field).toBe("weight");
    }
    // Through tRPC as well (the typed client's route).
    const trpc = await call(`${on.url}/trpc/credentials.update`, {
      key: user.key,
      body: { id, weight: 7 },
    });
    expect(trpc.status).toBe(200);
    expect((await call(`${on.url}/api/credentials/${id}`, { key: user.key })).body.data.weight).toBe(7);
  });

  it("spreads 1,000 calls over two keys by weight (1 and 3)", async () => {
    healthy();
    const user = await userWith(replicas[0]!, { fake: a, weight: 1 }, { fake: b, weight: 3 });
    const listed = await call(`${replicas[0]!.url}/api/credentials`, { key: user.key });
    expect(listed.body.data.map((c: { weight: number }) => c.weight)).toEqual([1, 3]);
    expect(listed.body.data[0].health).toEqual({ state: "closed", consecutive_failures: 0 });

    const N = 1000;
    let next = 0;
    const statuses: number[] = [];
    // Ten clients in parallel, alternating replicas.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < N) {
          const i = next++;
          statuses.push((await chat(replicas[i % replicas.length]!, user.key)).status);
        }
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(N);
    expect(a.requests.length + b.requests.length).toBe(N);
    // Binomial(1000, 1/4): mean 250, standard deviation √(1000·¼·¾) ≈ 13.7. Seven standard
    // deviations either side (154..346) fail by chance about once in 4·10¹¹ runs, while a
    // spread that ignored weights (500) or used only one key (0 or 1000) is far outside.
    const sd = Math.sqrt(N * 0.25 * 0.75);
    expect(a.requests.length).toBeGreaterThanOrEqual(Math.floor(250 - 7 * sd));
    expect(a.requests.length).toBeLessThanOrEqual(Math.ceil(250 + 7 * sd));
    process.stdout.write(
      `[routing] ${setup.name}: weights 1:3 over ${N} calls gave ${a.requests.length}:${b.requests.length}\n`,
    );
  }, 60_000);

  it(`opens a key's circuit after ${FAILURES} provider failures; every replica then skips the key`, async () => {
    healthy();
    const [first, other = first] = [replicas[0]!, replicas[1]];
    const user = await userWith(first, { fake: a }, { fake: b });
    // The other replica has read the (clean) shared state before the key fails: its cached view
    // must expire for it to see the circuit open.
    for (let i = 0; i < 4; i++) expect((await chat(other, user.key)).status).toBe(200);
    healthy();
    b.setDefault(providerError(500));
    await failUntil(first, user.key, b, FAILURES);
    const opened = (await health(first, user.key, user.ids[1]!)).health;
    expect(opened).toMatchObject({ state: "open", consecutive_failures: FAILURES });
    expect(Date.parse(opened.retry_at) - Date.parse(opened.opened_at)).toBe(60_000);
    expect((await health(first, user.key, user.ids[0]!)).health.state).toBe("closed");

    await sleep(VIEW_TTL_MS + 100);
    const toA = a.requests.length;
    for (let i = 0; i < 40; i++) {
      const res = await chat(i % 2 === 0 ? other : first, user.key);
      expect(res.status).toBe(200);
    }
    expect(b.requests.length).toBe(FAILURES);
    expect(a.requests.length - toA).toBe(40);
    expect((await health(other, user.key, user.ids[1]!)).health.state).toBe("open");
  }, 30_000);

  it("answers 503 provider_unavailable without calling when every key's circuit is open", async () => {
    healthy();
    const [first, other = first] = [replicas[0]!, replicas[1]];
    const user = await userWith(first, { fake: a }, { fake: b });
    a.setDefault(providerError(503));
    b.setDefault(providerError(401));
    for (let i = 0; i < 200 && (a.requests.length < FAILURES || b.requests.length < FAILURES); i++) {
      await chat(first, user.key);
    }
    expect([a.requests.length, b.requests.length]).toEqual([FAILURES, FAILURES]);
    await sleep(VIEW_TTL_MS + 100);
    for (const on of [first, other]) {
      const res = await chat(on, user.key);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        success: false,
        error: "provider_unavailable",
        details: { provider: "openai", reason: "circuit_open" },
      });
      expect(res.body.details.retry_after).toBeGreaterThanOrEqual(1);
      expect(res.body.details.retry_after).toBeLessThanOrEqual(60);
      expect(Number(res.headers.get("retry-after"))).toBe(res.body.details.retry_after);
      expect(res.body.details.credentials.map((c: { id: string }) => c.id).sort()).toEqual(
        [...user.ids].sort(),
      );
      const row = await first.database.db
        .selectFrom("requests")
        .selectAll()
        .where("id", "=", res.body.request_id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: "error", http_status: 503, error_code: "provider_unavailable" });
    }
    // The OpenAI-compatible surface says the same in OpenAI's error shape.
    const v1 = await call(`${other.url}/v1/chat/completions`, {
      key: user.key,
      body: { model: "openai/gpt-4o-mini", messages: MESSAGES },
    });
    expect(v1.status).toBe(503);
    expect(v1.body.error).toMatchObject({ code: "provider_unavailable", type: "api_error" });
    expect([a.requests.length, b.requests.length]).toEqual([FAILURES, FAILURES]);
  }, 30_000);

  it("counts streamed calls too, on /v1 and /api, and a stream's 503 comes before any event", async () => {
    healthy();
    const on = replicas[0]!;
    const user = await userWith(on, { fake: a });
    a.setDefault(providerError(500));
    const stream = (path: string, body: Record<string, unknown>) =>
      fetch(`${on.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.key}`, "content-type": "application/json" },
        body: JSON.stringify({ ...body, messages: MESSAGES, stream: true }),
      });
    for (let i = 0; i < FAILURES; i++) {
      const res = await (i % 2 === 0
        ? stream("/v1/chat/completions", { model: "openai/gpt-4o-mini" })
        : stream("/api/chat/completions", { provider: "openai", model: "gpt-4o-mini" }));
      expect(res.status).toBe(500);
      await res.text();
    }
    expect(a.requests.length).toBe(FAILURES);
    const refused = await stream("/v1/chat/completions", { model: "openai/gpt-4o-mini" });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("provider_unavailable");
    expect(a.requests.length).toBe(FAILURES);
  });

  it("never counts the caller's own bad request (400) against the key", async () => {
    healthy();
    const user = await userWith(replicas[0]!, { fake: a });
    for (let i = 0; i < FAILURES * 3; i++) a.enqueue(providerError(400));
    for (let i = 0; i < FAILURES * 3; i++) {
      expect((await chat(replicas[i % replicas.length]!, user.key)).status).toBe(400);
    }
    expect((await health(replicas[0]!, user.key, user.ids[0]!)).health).toEqual({
      state: "closed",
      consecutive_failures: 0,
    });
    expect((await chat(replicas[0]!, user.key)).status).toBe(200);
    // Failures that do count are forgotten by a success in between: never N in a row here.
    for (let i = 0; i < FAILURES * 2; i++) a.enqueue(providerError(500), { type: "success" });
    for (let i = 0; i < FAILURES * 4; i++) await chat(replicas[0]!, user.key);
    expect((await health(replicas[0]!, user.key, user.ids[0]!)).health.state).toBe("closed");
  }, 30_000);

  it("half-opens after the cool-down: one probe call, whose success closes the circuit", async () => {
    healthy();
    const on = shortReplicas[0]!;
    const user = await userWith(on, { fake: a });
    a.setDefault(providerError(529));
    await failUntil(on, user.key, a, FAILURES);
    expect((await chat(on, user.key)).status).toBe(503);
    expect(a.requests.length).toBe(FAILURES);

    // A failed probe opens it again, for another cool-down.
    const before = (await health(on, user.key, user.ids[0]!)).health;
    await sleep(1_100);
    expect((await health(on, user.key, user.ids[0]!)).health.state).toBe("half_open");
    expect((await chat(on, user.key)).status).toBe(529);
    const reopened = (await health(on, user.key, user.ids[0]!)).health;
    expect(reopened.state).toBe("open");
    expect(Date.parse(reopened.opened_at)).toBeGreaterThan(Date.parse(before.opened_at));

    // After it, a slow successful probe: a call meanwhile is refused rather than let through.
    await sleep(1_100);
    a.setDefault({ type: "success" });
    a.enqueue({ type: "delay", ms: 600, next: { type: "success" } });
    const probe = chat(on, user.key);
    for (let i = 0; i < 100 && a.requests.length < FAILURES + 2; i++) await sleep(10);
    const meanwhile = await chat(on, user.key);
    expect(meanwhile.status).toBe(503);
    expect((await probe).status).toBe(200);
    expect(a.requests.length).toBe(FAILURES + 2);
    for (const r of shortReplicas) {
      expect((await health(r, user.key, user.ids[0]!)).health).toEqual({
        state: "closed",
        consecutive_failures: 0,
      });
    }
    expect((await chat(on, user.key)).status).toBe(200);
  }, 30_000);

  it("a key half-open on the shared state is probed by whichever replica comes first", async () => {
    healthy();
    const [first, other = first] = [shortReplicas[0]!, shortReplicas[1]];
    const user = await userWith(first, { fake: a }, { fake: b });
    b.setDefault(providerError(500));
    await failUntil(first, user.key, b, FAILURES);
    expect((await health(other, user.key, user.ids[1]!)).health.state).toBe("open");
    b.setDefault({ type: "success" });
    await sleep(1_100);
    // Half the calls would pick b by weight: the probe comes within a few calls.
    for (let i = 0; i < 60 && b.requests.length === FAILURES; i++) {
      expect((await chat(other, user.key)).status).toBe(200);
    }
    expect(b.requests.length).toBe(FAILURES + 1);
    expect((await health(first, user.key, user.ids[1]!)).health).toEqual({
      state: "closed",
      consecutive_failures: 0,
    });
  }, 30_000);

  it.runIf(setup.redis)(
    "costs no Redis command for a user with one key, and a read a second with several",
    async () => {
      healthy();
      const one = await userWith(replicas[0]!, { fake: a });
      const two = await userWith(replicas[0]!, { fake: a }, { fake: b });
      const monitor = await new Redis(testRedisUrl()!).monitor();
      const seen: string[] = [];
      monitor.on("monitor", (_time: string, args: string[]) => {
        // Round trips only: MONITOR also lists the commands a script runs inside Redis.
        const roundTrip = /^eval(sha)?$/i.test(args[0] ?? "");
        if (roundTrip && args.some((arg) => arg.includes(":brk:"))) seen.push(args.join(" "));
      });
      try {
        await sleep(100);
        for (let i = 0; i < 50; i++) expect((await chat(replicas[i % 2]!, one.key)).status).toBe(200);
        await sleep(100);
        expect(seen).toEqual([]);
        const started = Date.now();
        for (let i = 0; i < 100; i++) expect((await chat(replicas[i % 2]!, two.key)).status).toBe(200);
        await sleep(100);
        // One read per replica and second of calls at most; a success on a clean circuit writes nothing.
        const seconds = Math.ceil((Date.now() - started) / VIEW_TTL_MS);
        expect(seen.length).toBeGreaterThanOrEqual(1);
        expect(seen.length).toBeLessThanOrEqual(replicas.length * (seconds + 1));
        process.stdout.write(
          `[routing] ${setup.name}: breaker round trips for 50 one-key calls 0, for 100 two-key calls ${seen.length} in ${Date.now() - started} ms\n`,
        );
      } finally {
        monitor.disconnect();
      }
    },
    30_000,
  );
});
