import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError, deliverDueWebhooks, fireAlerts, loadConfig, usdToNano } from "@llmg/api";
import { testBackends } from "@llmg/db/testing";
import { type FakeProvider, startFakeProvider } from "@llmg/fake-providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer, type TestDnsServer } from "./dns-server";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const SECRET = "sk-egress-test-key-1234567890";
const PUBLIC = "8.8.8.8";

/** Every spelling of an internal destination; each must be refused wherever a user sets a URL. */
const INTERNAL_URLS = [
  "http://127.0.0.1:8080/v1",
  "http://0x7f000001/v1",
  "http://2130706433/v1",
  "http://0177.0.0.1/v1",
  "http://127.1/v1",
  "http://127.0.0.1./v1",
  "http://[::1]/v1",
  "http://[::ffff:127.0.0.1]/v1",
  "http://[::ffff:7f00:1]/v1",
  "http://localhost:11434/v1",
  "http://localhost./v1",
  "http://foo.localhost/v1",
  "http://10.0.0.1/v1",
  "http://172.16.5.4/v1",
  "http://192.168.1.1/v1",
  "http://169.254.169.254/latest/meta-data",
  "http://100.64.0.1/v1",
  "http://0.0.0.0/v1",
  "http://[::]/v1",
  "http://224.0.0.1/v1",
  "http://255.255.255.255/v1",
  "http://[fd00::1]/v1",
  "http://[fe80::1]/v1",
  "http://[::ffff:169.254.169.254]/v1",
  "http://[64:ff9b::a9fe:a9fe]/v1",
  "http://[2002:7f00:1::]/v1",
  // Names our test DNS server answers with internal addresses (one of several is enough).
  "http://internal.test/v1",
  "http://mixed.test/v1",
  "http://internal-v6.test/v1",
  // A name that does not resolve at all.
  "http://nowhere.test/v1",
];

/** A webhook receiver that records what reaches it; /redirect answers 302 to /landed. */
async function startReceiver() {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.url ?? "/");
    req.resume();
    req.on("end", () =>
      req.url === "/redirect" ? res.writeHead(302, { location: "/landed" }).end() : res.writeHead(204).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(testBackends())("egress policy on %s", (kind) => {
  let fake: FakeProvider;
  let fakePort: number;
  let dns: TestDnsServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** No LLMG_EGRESS_ALLOW: only public addresses. The deployment base URL (the fake) is trusted. */
  let strict: TestGateway;
  /** LLMG_EGRESS_ALLOW lists the fake's host:port, as an operator would a local model server. */
  let allowing: TestGateway;
  // Rebinding names answer a public address until the test rebinds them to 127.0.0.1 (as an
  // attacker's DNS with a zero TTL would, between the check when set and the call).
  const rebound = new Set<string>();

  beforeAll(async () => {
    dns = await startDnsServer((name, type) => {
      if (type === "AAAA") return name === "internal-v6.test" ? ["fd00::5"] : [];
      if (name === "public.test") return [PUBLIC];
      if (name === "internal.test") return ["10.0.0.5"];
      if (name === "mixed.test") return [PUBLIC, "127.0.0.1"];
      if (name === "internal-v6.test") return [PUBLIC];
      if (name.startsWith("rebind")) return [rebound.has(name) ? "127.0.0.1" : PUBLIC];
      return [];
    });
    fake = await startFakeProvider("openai", { apiKey: SECRET });
    fakePort = Number(new URL(fake.url).port);
    receiver = await startReceiver();
    strict = await startTestGateway(kind, {
      env: { LLMG_OPENAI_BASE_URL: fake.url },
      egressResolver: dns.resolver,
    });
    allowing = await startTestGateway(kind, {
      env: {
        LLMG_EGRESS_ALLOW: `127.0.0.1:${fakePort}, 127.0.0.1:${receiver.port}`,
        LLMG_PROVIDER_MAX_RETRIES: "0",
      },
      egressResolver: dns.resolver,
    });
  });
  afterAll(async () => {
    await strict?.close();
    await allowing?.close();
    await fake?.close();
    await receiver?.close();
    await dns?.close();
  });

  const credential = (t: TestGateway, key: string, baseUrl: string, name = `c${Math.random()}`) =>
    call(`${t.url}/api/credentials`, {
      key,
      body: { provider: "openai", name, api_key: SECRET, base_url: baseUrl },
    });
  const chat = (t: TestGateway, key: string) =>
    call(`${t.url}/api/chat/completions`, {
      key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
    });

  it("refuses every internal spelling of a credential base_url and a webhook_url when set", async () => {
    const { key } = await createUserWithKey(strict);
    const existing = await call(`${strict.url}/api/credentials`, {
      key,
      body: { provider: "openai", name: "existing", api_key: SECRET },
    });
    expect(existing.status).toBe(201);
    for (const url of INTERNAL_URLS) {
      const created = await credential(strict, key, url);
      expect({ url, status: created.status, error: created.body.error }).toEqual({
        url,
        status: 400,
        error: "egress_denied",
      });
      expect(created.body.details).toEqual([expect.objectContaining({ field: "base_url" })]);

      const updated = await call(`${strict.url}/api/credentials/${existing.body.data.id}`, {
        key,
        method: "PUT",
        body: { base_url: url, api_key: SECRET },
      });
      expect({ url, status: updated.status, error: updated.body.error }).toEqual({
        url,
        status: 400,
        error: "egress_denied",
      });

      const hook = await call(`${strict.url}/api/budget`, { key, method: "PUT", body: { webhook_url: url } });
      expect({ url, status: hook.status, error: hook.body.error }).toEqual({
        url,
        status: 400,
        error: "egress_denied",
      });
      expect(hook.body.details).toEqual([expect.objectContaining({ field: "webhook_url" })]);
    }
    // Nothing was stored.
    const stored = await call(`${strict.url}/api/credentials/${existing.body.data.id}`, { key });
    expect(stored.body.data.base_url).toBeNull();
    expect((await call(`${strict.url}/api/budget`, { key })).body.data.webhook_url).toBeNull();

    // A public name passes.
    expect((await credential(strict, key, "https://public.test/v1")).status).toBe(201);
    const hook = await call(`${strict.url}/api/budget`, {
      key,
      method: "PUT",
      body: { webhook_url: "https://public.test/hook" },
    });
    expect(hook.status).toBe(200);
  });

  it("needs the api_key to change a base_url, not to reset it to the default", async () => {
    const { key } = await createUserWithKey(strict);
    const created = await credential(strict, key, "https://public.test/v1");
    const id = created.body.data.id as string;
    const moved = await call(`${strict.url}/api/credentials/${id}`, {
      key,
      method: "PUT",
      body: { base_url: "https://public.test/elsewhere" },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.error).toBe("validation_error");
    expect(moved.body.details).toEqual([expect.objectContaining({ field: "api_key" })]);
    expect((await call(`${strict.url}/api/credentials/${id}`, { key })).body.data.base_url).toBe(
      "https://public.test/v1",
    );

    const withKey = await call(`${strict.url}/api/credentials/${id}`, {
      key,
      method: "PUT",
      body: { base_url: "https://public.test/elsewhere", api_key: SECRET },
    });
    expect(withKey.status).toBe(200);
    const reset = await call(`${strict.url}/api/credentials/${id}`, {
      key,
      method: "PUT",
      body: { base_url: null },
    });
    expect(reset.status).toBe(200);
    expect(reset.body.data.base_url).toBeNull();
  });

  it("admits what LLMG_EGRESS_ALLOW lists: a local server for chat and credential tests", async () => {
    const { key } = await createUserWithKey(allowing);
    // Another port of the same host is still refused.
    expect((await credential(allowing, key, "http://127.0.0.1:1/v1")).body.error).toBe("egress_denied");
    const created = await credential(allowing, key, fake.url);
    expect(created.status).toBe(201);
    const tested = await call(`${allowing.url}/api/credentials/${created.body.data.id}/test`, {
      key,
      body: {},
    });
    expect(tested.body.data).toMatchObject({ ok: true, status: 200 });
    const before = fake.requests.length;
    const answered = await chat(allowing, key);
    expect(answered.status).toBe(200);
    expect(fake.requests.length).toBe(before + 1);
  });

  it("keeps bytes of an untrusted base URL's error body out of error texts", async () => {
    const { key } = await createUserWithKey(allowing);
    const created = await credential(allowing, key, fake.url);
    const page = "INTERNAL-ADMIN-PAGE root:x:0:0 token=abc123";
    fake.enqueue({ type: "error", status: 500, body: page });
    const failed = await chat(allowing, key);
    expect(failed.status).toBe(500);
    expect(failed.body.message).toContain("HTTP 500 Internal Server Error");
    expect(JSON.stringify(failed.body)).not.toContain("INTERNAL-ADMIN-PAGE");

    // Not the provider's error shape: nothing of it may show.
    fake.enqueue({ type: "error", status: 403, body: [page] });
    const tested = await call(`${allowing.url}/api/credentials/${created.body.data.id}/test`, {
      key,
      body: {},
    });
    expect(tested.body.data).toMatchObject({ ok: false, status: 403, error: "HTTP 403 Forbidden" });
    const stored = await call(`${allowing.url}/api/credentials/${created.body.data.id}`, { key });
    expect(stored.body.data.last_test.error).toBe("HTTP 403 Forbidden");

    // A 200 that is not JSON, whole or streamed.
    fake.enqueue({ type: "malformed", body: page });
    const malformed = await chat(allowing, key);
    expect(malformed.status).toBe(502);
    expect(malformed.body.message).toContain("malformed response: invalid JSON");
    expect(JSON.stringify(malformed.body)).not.toContain("INTERNAL-ADMIN-PAGE");
    fake.enqueue({ type: "malformed", body: page });
    const streamed = await fetch(`${allowing.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const streamedText = await streamed.text();
    expect(streamedText).toContain("malformed response: invalid JSON");
    expect(streamedText).not.toContain("INTERNAL-ADMIN-PAGE");

    // A message in the provider's own error shape is kept, cut short.
    fake.enqueue({ type: "error", status: 400, message: `model not found ${"x".repeat(5000)}` });
    const parsed = await chat(allowing, key);
    expect(parsed.body.message).toContain("HTTP 400 Bad Request: model not found xxx");
    expect(parsed.body.message.length).toBeLessThan(300);
  });

  it("refuses at connect time a name that resolved public when set and internal when called", async () => {
    const { key } = await createUserWithKey(strict);
    const created = await credential(strict, key, `http://rebind-chat.test:${fakePort}/v1`);
    expect(created.status).toBe(201);
    rebound.add("rebind-chat.test");
    const before = fake.requests.length;
    const refused = await chat(strict, key);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("egress_denied");
    expect(refused.body.message).toContain("127.0.0.1");
    const tested = await call(`${strict.url}/api/credentials/${created.body.data.id}/test`, {
      key,
      body: {},
    });
    expect(tested.body.data.ok).toBe(false);
    expect(tested.body.data.error).toMatch(/egress to rebind-chat\.test denied/);
    // The fake on 127.0.0.1 never saw the call nor the key.
    expect(fake.requests.length).toBe(before);

    // A credential without base_url goes to the trusted deployment URL (the same fake) unchecked.
    const plain = await createUserWithKey(strict);
    await call(`${strict.url}/api/credentials`, {
      key: plain.key,
      body: { provider: "openai", name: "default", api_key: SECRET },
    });
    expect((await chat(strict, plain.key)).status).toBe(200);
  });

  it("records egress_denied for a webhook whose host turned internal, and sends nothing", async () => {
    const { user, key } = await createUserWithKey(strict, { monthly_budget_usd: 10 });
    const put = await call(`${strict.url}/api/budget`, {
      key,
      method: "PUT",
      body: { webhook_url: `http://rebind-hook.test:${receiver.port}/hook` },
    });
    expect(put.status).toBe(200);
    rebound.add("rebind-hook.test");
    const settings = await strict.gateway.services.limits.settings(user.id);
    await fireAlerts(strict.database.db, {
      settings: settings!,
      period: new Date().toISOString().slice(0, 7),
      thresholds: [50],
      spentNano: usdToNano("6", "up"),
      now: new Date(),
    });
    const alert = () =>
      strict.database.db
        .selectFrom("budget_alerts")
        .selectAll()
        .where("user_id", "=", user.id)
        .executeTakeFirstOrThrow();
    // The embedded job may claim it first; either way one attempt is made and recorded.
    const deadline = Date.now() + 15_000;
    while ((await alert()).webhook_last_error === null && Date.now() < deadline) {
      await deliverDueWebhooks({
        db: strict.database.db,
        secrets: strict.gateway.services.secrets,
        egress: strict.gateway.services.egress,
      });
      await new Promise((r) => setTimeout(r, 100));
    }
    const row = await alert();
    expect(row.webhook_last_status).toBeNull();
    expect(row.webhook_last_error).toMatch(
      /^egress_denied: egress to rebind-hook\.test denied: resolves to loopback/,
    );
    expect(receiver.received).not.toContain("/hook");
  });

  it("delivers to an allowed webhook host without following its redirect", async () => {
    const { user, key } = await createUserWithKey(allowing, { monthly_budget_usd: 10 });
    const put = await call(`${allowing.url}/api/budget`, {
      key,
      method: "PUT",
      body: { webhook_url: `http://127.0.0.1:${receiver.port}/redirect` },
    });
    expect(put.status).toBe(200);
    await fireAlerts(allowing.database.db, {
      settings: (await allowing.gateway.services.limits.settings(user.id))!,
      period: new Date().toISOString().slice(0, 7),
      thresholds: [50],
      spentNano: usdToNano("6", "up"),
      now: new Date(),
    });
    const alert = () =>
      allowing.database.db
        .selectFrom("budget_alerts")
        .selectAll()
        .where("user_id", "=", user.id)
        .executeTakeFirstOrThrow();
    const deadline = Date.now() + 15_000;
    while ((await alert()).webhook_last_status === null && Date.now() < deadline) {
      await deliverDueWebhooks({
        db: allowing.database.db,
        secrets: allowing.gateway.services.secrets,
        egress: allowing.gateway.services.egress,
      });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await alert()).toMatchObject({ webhook_last_status: 302, webhook_last_error: "HTTP 302" });
    expect(receiver.received.filter((path) => path === "/redirect").length).toBeGreaterThanOrEqual(1);
    expect(receiver.received).not.toContain("/landed");
  });

  it("stops the start on a bad LLMG_EGRESS_ALLOW entry, naming it", () => {
    expect(() => loadConfig({ LLMG_EGRESS_ALLOW: "127.0.0.1:11434, 10.0.0.0/33, http://x" })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ LLMG_EGRESS_ALLOW: "127.0.0.1:11434, 10.0.0.0/33" });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'LLMG_EGRESS_ALLOW: "10.0.0.0/33": not a valid CIDR (e.g. 10.0.0.0/8, fd00::/8)',
      ]);
    }
    expect(
      loadConfig({ LLMG_EGRESS_ALLOW: "llm.internal, 127.0.0.1:11434, fd00::/8" }).LLMG_EGRESS_ALLOW,
    ).toBe("llm.internal, 127.0.0.1:11434, fd00::/8");
  });
});
