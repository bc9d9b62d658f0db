import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { ConfigError, configSchema } from "@llmg/api";
import { createLlmgClient } from "@llmg/client";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../src/gateway";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { call, createUserWithKey, startTestGateway } from "./harness";

const CHAT = { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], max_tokens: 8 };
const badKey = () => `llmg_${randomBytes(32).toString("hex")}`;

/** A request written byte for byte, as curl sends `-X POST` with no data: no body, no type. */
function rawRequest(url: string, head: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
    });
    socket.on("error", reject);
    socket.on("end", () => {
      const [headers = "", body = ""] = text.split("\r\n\r\n");
      resolve({ status: Number(headers.split(" ")[1]), headers: headers.toLowerCase(), body });
    });
  });
}

describe.each(testBackends())("HTTP hardening on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await startChatFixture(kind, { LLMG_AUTH_FAILURES_PER_MINUTE: "0" });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("sends x-content-type-options: nosniff on every kind of answer", async () => {
    const { url } = f.t;
    const key = f.user.key;
    const answers = [
      await call(`${url}/healthz`),
      await call(`${url}/readyz`),
      await call(`${url}/openapi.json`),
      await call(`${url}/docs`),
      await call(`${url}/nothing`), // 404 envelope
      await call(`${url}/api/keys`, { key }),
      await call(`${url}/api/keys`), // 401 before the body
      await call(`${url}/api/keys`, { key, body: "{not json" }), // body-parser error
      await call(`${url}/trpc/keys.list`), // tRPC error
      await call(`${url}/v1/models`, { key }),
      await call(`${url}/v1/chat/completions`, { key, body: CHAT }), // fast path
      await call(`${url}/v1/chat/completions`, { key: badKey(), body: CHAT }), // fast path error
      await call(`${url}/v1/chat/completions`, { key, body: { ...CHAT, stream: true } }), // stream
      await call(`${url}/v1/nothing`, { key }), // OpenAI-shaped 404
    ];
    expect(answers.map((a) => a.status)).toEqual([
      200, 200, 200, 200, 404, 200, 401, 400, 401, 200, 200, 401, 200, 404,
    ]);
    for (const answer of answers) expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("serves /docs under a content security policy with no inline script, and never in a frame", async () => {
    const res = await fetch(`${f.t.url}/docs`);
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name = "", ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(directives.get("default-src")).toEqual(["'self'"]);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    // Every script is a file from /docs; the policy would block an inline one.
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/docs\//);
      expect(body!.trim()).toBe("");
    }
    const init = await fetch(`${f.t.url}/docs/init.js`);
    expect(init.status).toBe(200);
    expect(init.headers.get("content-security-policy")).toBe(csp);
    const asset = await fetch(`${f.t.url}/docs/assets/swagger-ui.css`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("x-frame-options")).toBe("DENY");
  });

  it("shows readiness details to the admin key only", async () => {
    const anonymous = await call(`${f.t.url}/readyz`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.data).toEqual({
      status: "ready",
      checks: [{ name: `database (${kind})`, ok: true }],
    });
    const asUser = await call(`${f.t.url}/readyz`, { key: f.user.key });
    expect(asUser.body.data.checks[0]).toEqual({ name: `database (${kind})`, ok: true });
    const admin = await call(`${f.t.url}/readyz`, { key: f.t.adminKey });
    expect(admin.body.data.checks[0]).toMatchObject({ name: `database (${kind})`, ok: true });
    expect(typeof admin.body.data.checks[0].latency_ms).toBe("number");
  });

  it("takes a POST with no body and no content type, as the README's curl sends it", async () => {
    const { url } = f.t;
    const creds = await call(`${url}/api/credentials`, { key: f.user.key });
    const openai = creds.body.data.find((c: { provider: string }) => c.provider === "openai");
    const host = new URL(url).host;
    const head = (path: string, extra = "") =>
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${f.user.key}\r\n${extra}Connection: close\r\n\r\n`;
    const tested = await rawRequest(url, head(`/api/credentials/${openai.id}/test`));
    expect(tested.status).toBe(200);
    expect(JSON.parse(tested.body).data.ok).toBe(true);
    expect(tested.headers).toContain("x-content-type-options: nosniff");
    // fetch sends content-length: 0 for the same thing.
    const viaFetch = await fetch(`${url}/api/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${f.user.key}` },
    });
    expect(viaFetch.status).toBe(201);
    // A body that is not JSON is still refused as such.
    const typed = await rawRequest(
      url,
      head("/api/keys", "Content-Type: text/plain\r\nContent-Length: 2\r\n").replace(
        /\r\n\r\n$/,
        "\r\n\r\nhi",
      ),
    );
    expect(typed.status).toBe(415);
    expect(JSON.parse(typed.body).error).toBe("unsupported_media_type");
  });

  it("checks the key before reading the body, and a good call looks its key up once", async () => {
    const { url } = f.t;
    // Malformed JSON with a bad key: the key is refused first, the body never parsed.
    const bad = await call(`${url}/api/keys`, { key: badKey(), body: "{not json" });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe("unauthorized");
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024 - 100) });
    const bigBad = await call(`${url}/api/keys`, { key: badKey(), body: big });
    expect(bigBad.status).toBe(401);
    // tRPC reads a body only when the procedure asks for its input, after the key check.
    const trpc = await call(`${url}/trpc/keys.create`, { key: badKey(), body: "{not json" });
    expect(trpc.status).toBe(401);
    // And the connection still serves the next call.
    expect((await call(`${url}/api/keys`, { key: f.user.key })).status).toBe(200);
  });

  it("checks the key before inflating a compressed /v1 body too", async () => {
    const post = (key: string, body: Buffer) =>
      fetch(`${f.t.url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          "content-encoding": "gzip",
        },
        body,
      });
    const garbage = gzipSync("{not json");
    const bad = await post(badKey(), garbage);
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
    // With a good key the same body is read, and refused for what it is.
    const good = await post(f.user.key, garbage);
    expect(good.status).toBe(400);
    const answered = await post(f.user.key, gzipSync(JSON.stringify(CHAT)));
    expect(answered.status).toBe(200);
  });

  it("remembers a bad key briefly: a flood of it costs one database lookup", async () => {
    const stats = () => f.t.gateway.services.auth.stats();
    const key = badKey();
    const before = stats();
    for (let i = 0; i < 10; i++) {
      expect((await call(`${f.t.url}/api/keys`, { key })).status).toBe(401);
      expect((await call(`${f.t.url}/v1/chat/completions`, { key, body: CHAT })).status).toBe(401);
    }
    const after = stats();
    expect(after.lookups - before.lookups).toBe(1);
    expect(after.negativeHits - before.negativeHits).toBe(19);
  });

  it("limits tRPC batches with a clear 400, and the typed client stays under the limit", async () => {
    const { url } = f.t;
    const batch = (n: number) => {
      const paths = Array.from({ length: n }, () => "keys.list").join(",");
      const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]));
      return call(`${url}/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, {
        key: f.user.key,
      });
    };
    const ok = await batch(20);
    expect(ok.status).toBe(200);
    expect(ok.body).toHaveLength(20);
    const tooMany = await batch(21);
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toMatch(/Batch call exceeds maximum size/);
    const client = createLlmgClient({ baseUrl: url, apiKey: f.user.key });
    const results = await Promise.all(Array.from({ length: 45 }, () => client.keys.list.query({})));
    expect(results).toHaveLength(45);
  });
});

describe.each(testBackends())("bad-key throttling per client address on %s", (kind) => {
  let f: ChatFixture;
  beforeAll(async () => {
    // One proxy in front: the client address comes from X-Forwarded-For, so the test can be
    // several clients at once.
    f = await startChatFixture(kind, { LLMG_AUTH_FAILURES_PER_MINUTE: "5", LLMG_TRUST_PROXY: "1" });
  });
  afterAll(async () => {
    await f?.close();
  });
  const from = (address: string) => ({ "x-forwarded-for": address });

  it("answers 429 with Retry-After once an address has presented too many bad keys, on /api and /v1", async () => {
    const { url } = f.t;
    const attacker = from("203.0.113.7");
    for (let i = 0; i < 5; i++) {
      const res = await call(`${url}/api/keys`, { key: badKey(), headers: attacker });
      expect(res.status).toBe(401);
    }
    const blocked = await call(`${url}/api/keys`, { key: badKey(), headers: attacker });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe("rate_limit_exceeded");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(blocked.body.retry_after).toBe(retryAfter);
    // Even a good key from that address waits: the throttle is no oracle for valid keys.
    expect((await call(`${url}/api/keys`, { key: f.user.key, headers: attacker })).status).toBe(429);
    const v1 = await call(`${url}/v1/chat/completions`, { key: f.user.key, body: CHAT, headers: attacker });
    expect(v1.status).toBe(429);
    expect(v1.body.error).toMatchObject({ code: "rate_limit_exceeded", type: "rate_limit_error" });
    expect(Number(v1.headers.get("retry-after"))).toBeGreaterThan(0);
    const trpc = await call(`${url}/trpc/keys.list`, { key: f.user.key, headers: attacker });
    expect(trpc.status).toBe(429);

    // Another address is not affected, nor is the same host's other IPv6 /64.
    const client = from("203.0.113.8");
    expect((await call(`${url}/api/keys`, { key: f.user.key, headers: client })).status).toBe(200);
    expect(
      (await call(`${url}/v1/chat/completions`, { key: f.user.key, body: CHAT, headers: client })).status,
    ).toBe(200);
    expect(f.t.gateway.services.auth.stats().throttled).toBeGreaterThanOrEqual(4);
  });

  it("counts an IPv6 client's whole /64 as one address", async () => {
    const { url } = f.t;
    for (let i = 0; i < 5; i++) {
      const res = await call(`${url}/api/keys`, { key: badKey(), headers: from(`2001:db8:1:2::${i + 1}`) });
      expect(res.status).toBe(401);
    }
    const sameNet = await call(`${url}/api/keys`, { key: f.user.key, headers: from("2001:db8:1:2:ffff::9") });
    expect(sameNet.status).toBe(429);
    const otherNet = await call(`${url}/api/keys`, { key: f.user.key, headers: from("2001:db8:1:3::1") });
    expect(otherNet.status).toBe(200);
  });

  it("does not count a missing key as a bad key", async () => {
    const { url } = f.t;
    const caller = from("198.51.100.20");
    for (let i = 0; i < 8; i++) expect((await call(`${url}/api/keys`, { headers: caller })).status).toBe(401);
    expect((await call(`${url}/api/keys`, { key: f.user.key, headers: caller })).status).toBe(200);
  });
});

describe.skipIf(!testRedisUrl())("readiness details with Redis", () => {
  it("shows worker lag and latencies to the admin only", async () => {
    const t = await startTestGateway(testBackends()[0]!, { redis: true });
    try {
      const anonymous = await call(`${t.url}/readyz`);
      expect(anonymous.body.data.worker).toBeUndefined();
      for (const check of anonymous.body.data.checks)
        expect(Object.keys(check).sort()).toEqual(["name", "ok"]);
      const admin = await call(`${t.url}/readyz`, { key: t.adminKey });
      expect(admin.body.data).toHaveProperty("worker");
      expect(admin.body.data.checks.map((c: { name: string }) => c.name.split(" ")[0])).toEqual([
        "database",
        "redis",
      ]);
    } finally {
      await t.close();
    }
  });
});

describe("the admin key in production", () => {
  it("must be set: the gateway refuses to start rather than print a generated one", async () => {
    const config = configSchema.parse({
      NODE_ENV: "production",
      PORT: "0",
      LOG_LEVEL: "silent",
      LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    });
    const started = startGateway({ config });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/LLMG_ADMIN_KEY: required when NODE_ENV=production/);
  });
});

describe.each(testBackends())("key lookups of /api calls on %s", (kind) => {
  it("a good call looks its key up once, even without a key cache", async () => {
    const t = await startTestGateway(kind, { env: { LLMG_KEY_CACHE_TTL_MS: "0" } });
    try {
      const { key } = await createUserWithKey(t);
      const before = t.gateway.services.auth.stats().lookups;
      const res = await call(`${t.url}/api/keys`, { key, body: { name: "second" } });
      expect(res.status).toBe(201);
      // No key cache at all, yet one lookup: the key checked before the body is handed to the procedure.
      expect(t.gateway.services.auth.stats().lookups - before).toBe(1);
    } finally {
      await t.close();
    }
  });
});
