import { createHash, randomBytes } from "node:crypto";
import { createLlmgClient, llmgErrorCode } from "@llmg/client";
import { testBackends, testRedisUrl } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, type JsonResponse, startTestGateway, type TestGateway } from "./harness";

/**
 * Browser sign-in: a key exchanged for an HttpOnly session cookie, which then authenticates
 * /api and /trpc calls (never /v1) as that key, with a CSRF token on state-changing calls.
 */
const setups = [
  ...(testRedisUrl() !== null && testBackends().includes("postgres")
    ? [{ name: "production mode", kind: "postgres" as const, redis: true }]
    : []),
  { name: "embedded mode", kind: "pglite" as const, redis: false },
];

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const TTL_MS = 12 * 3_600_000;

interface SignedIn {
  token: string;
  cookie: string;
  setCookie: string;
  csrf: string;
  body: any;
}

/** The llmg_session=... pair of a Set-Cookie header, as a browser would send it back. */
function cookiePair(setCookie: string): string {
  return setCookie.split(";")[0] ?? "";
}

async function signIn(url: string, key: string, headers: Record<string, string> = {}): Promise<SignedIn> {
  const res = await call(`${url}/api/session`, { body: { key }, headers });
  if (res.status !== 201) throw new Error(`sign in: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = cookiePair(setCookie);
  return {
    token: cookie.slice("llmg_session=".length),
    cookie,
    setCookie,
    csrf: res.body.data.csrf_token,
    body: res.body,
  };
}

/** A call carrying a session cookie (and a CSRF token when given), without an Authorization header. */
function withCookie(
  url: string,
  cookie: string,
  init: { method?: string; body?: unknown; csrf?: string; key?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { cookie };
  if (init.csrf !== undefined) headers["x-llmg-csrf"] = init.csrf;
  return call(url, {
    headers,
    ...(init.method ? { method: init.method } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.key ? { key: init.key } : {}),
  });
}

describe.each(setups)("browser sessions: $name", (setup) => {
  let a: TestGateway;
  let b: TestGateway | undefined;
  /** Sessions live one second, and three bad credentials a minute are allowed. */
  let short: TestGateway;
  const lines: string[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    const env = { LLMG_TRUST_PROXY: "1", LLMG_KEY_CACHE_TTL_MS: "200", LOG_LEVEL: "trace" };
    a = await startTestGateway(setup.kind, { env, redis: setup.redis, logLines: lines });
    if (setup.kind === "postgres") {
      b = await startTestGateway(setup.kind, {
        env,
        redis: setup.redis,
        database: a.database,
        logLines: lines,
      });
    }
    short = await startTestGateway(setup.kind, {
      env: { LLMG_SESSION_TTL_MS: "1000", LLMG_AUTH_FAILURES_PER_MINUTE: "3" },
      redis: setup.redis,
    });
  });
  afterAll(async () => {
    await short?.close();
    await b?.close();
    await a?.close();
  });

  it("signs in with a user key: exact cookie, the session in the body, only hashes stored", async () => {
    const { key, keyId, user } = await createUserWithKey(a);
    const s = await signIn(a.url, key);
    secrets.push(key, s.token, s.csrf);
    expect(s.setCookie).toBe(
      `llmg_session=${s.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${TTL_MS / 1000}`,
    );
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(s.token, "base64url")).toHaveLength(32);
    expect(s.body.data).toMatchObject({
      kind: "user",
      user: { id: user.id, email: user.email },
      key: { id: keyId, scopes: ["chat", "read", "manage"] },
    });
    expect(s.body.data.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expiresIn = Date.parse(s.body.data.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(TTL_MS - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(TTL_MS);
    expect(JSON.stringify(s.body)).not.toContain(key);

    const rows = await a.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("api_key_id", "=", keyId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      token_hash: sha256(s.token),
      csrf_hash: sha256(s.csrf),
      user_id: user.id,
      api_key_id: keyId,
    });
    const stored = JSON.stringify(rows);
    for (const secret of [key, s.token, s.csrf]) expect(stored).not.toContain(secret);
    const activity = await call(`${a.url}/api/account/activity?action=session.create`, { key });
    expect(activity.body.data).toHaveLength(1);
    expect(activity.body.data[0]).toMatchObject({ action: "session.create", target_id: keyId });
  });

  it("sets Secure when the request came over HTTPS through a trusted proxy", async () => {
    const { key } = await createUserWithKey(a);
    const s = await signIn(a.url, key, { "x-forwarded-proto": "https" });
    secrets.push(key, s.token, s.csrf);
    expect(s.setCookie).toBe(
      `llmg_session=${s.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${TTL_MS / 1000}; Secure`,
    );
    // Without LLMG_TRUST_PROXY the header is anyone's to send: it is not believed.
    const { key: other } = await createUserWithKey(short);
    const plain = await signIn(short.url, other, { "x-forwarded-proto": "https" });
    expect(plain.setCookie).not.toContain("Secure");
  });

  it("authenticates /api calls by the cookie; a state-changing one needs the CSRF token", async () => {
    const { key, user } = await createUserWithKey(a);
    const s = await signIn(a.url, key);
    secrets.push(key, s.token, s.csrf);

    const budget = await withCookie(`${a.url}/api/budget`, s.cookie);
    expect(budget.status).toBe(200);
    const me = await withCookie(`${a.url}/api/session`, s.cookie);
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ kind: "user", user: { id: user.id }, csrf_token: s.csrf });
    expect(me.body.data.expires_at).toBe(s.body.data.expires_at);

    const noToken = await withCookie(`${a.url}/api/keys`, s.cookie, { body: { name: "x" } });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error).toBe("forbidden");
    expect(noToken.body.message).toContain("x-llmg-csrf");
    const wrongToken = await withCookie(`${a.url}/api/keys`, s.cookie, { body: { name: "x" }, csrf: "nope" });
    expect(wrongToken.status).toBe(403);
    const otherSession = await signIn(a.url, key);
    secrets.push(otherSession.token, otherSession.csrf);
    const crossed = await withCookie(`${a.url}/api/keys`, s.cookie, {
      body: { name: "x" },
      csrf: otherSession.csrf,
    });
    expect(crossed.status).toBe(403);
    const made = await withCookie(`${a.url}/api/keys`, s.cookie, {
      body: { name: "from-browser" },
      csrf: s.csrf,
    });
    expect(made.status).toBe(201);
    secrets.push(made.body.data.key);
    const put = await withCookie(`${a.url}/api/budget`, s.cookie, {
      method: "PUT",
      body: { limit_usd: "12.5" },
      csrf: s.csrf,
    });
    expect(put.status).toBe(200);

    // A chat call changes spend: the JSON route and the streamed one (served before tRPC) alike.
    for (const stream of [false, true]) {
      const chat = await withCookie(`${a.url}/api/chat/completions`, s.cookie, {
        body: {
          provider: "openai",
          model: "gpt-4o-mini",
          messages: [{ role: "user", content: "hi" }],
          stream,
        },
      });
      expect(chat.status).toBe(403);
      expect(chat.body.error).toBe("forbidden");
    }

    // A Bearer call needs no CSRF token and is never the cookie's: the header wins.
    const { key: otherKey } = await createUserWithKey(a);
    const bearer = await withCookie(`${a.url}/api/keys`, s.cookie, {
      body: { name: "bearer" },
      key: otherKey,
    });
    expect(bearer.status).toBe(201);
    secrets.push(bearer.body.data.key);
    const theirs = await call(`${a.url}/api/keys`, { key: otherKey });
    expect(theirs.body.data.map((k: { name: string }) => k.name)).toContain("bearer");
    const listed = await call(`${a.url}/api/keys`, { key });
    expect(listed.body.data.map((k: { name: string }) => k.name).sort()).toEqual(
      ["from-browser", null].sort(),
    );

    // A cookie that is no session is refused, not ignored.
    const forged = await withCookie(`${a.url}/api/budget`, `llmg_session=${"A".repeat(43)}`);
    expect(forged.status).toBe(401);
    expect(forged.body.error).toBe("unauthorized");
  });

  it("authenticates tRPC calls by the cookie; a mutation needs the CSRF token", async () => {
    const { key } = await createUserWithKey(a);
    const s = await signIn(a.url, key);
    secrets.push(key, s.token, s.csrf);
    const cookieFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set("cookie", s.cookie);
      return fetch(input, { ...init, headers });
    };
    const noToken = createLlmgClient({ baseUrl: a.url, fetch: cookieFetch });
    const keys = await noToken.keys.list.query({});
    expect(keys.data).toHaveLength(1);
    const refused = await noToken.keys.create.mutate({ name: "t" }).catch((e: unknown) => e);
    expect(llmgErrorCode(refused)).toBe("forbidden");
    const client = createLlmgClient({ baseUrl: a.url, fetch: cookieFetch, csrfToken: () => s.csrf });
    const made = await client.keys.create.mutate({ name: "t" });
    secrets.push(made.data.key);
    expect(made.data.name).toBe("t");
    const me = await client.session.get.query({});
    expect(me.data.kind).toBe("user");

    // Signing in through tRPC sets the cookie as well.
    const res = await fetch(`${a.url}/trpc/session.create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    secrets.push(cookiePair(setCookie));
    expect(setCookie).toMatch(
      /^llmg_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/,
    );
    const viaTrpc = await withCookie(`${a.url}/api/budget`, cookiePair(setCookie));
    expect(viaTrpc.status).toBe(200);
  });

  it("refuses a wrong key with 401 and no cookie", async () => {
    for (const key of [`llmg_${"Q".repeat(43)}`, "not-a-key", "llmg_a b"]) {
      const res = await call(`${a.url}/api/session`, { body: { key } });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error: "unauthorized" });
      expect(res.body.message).toMatch(/^Invalid/);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    const empty = await call(`${a.url}/api/session`, { body: {} });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain("key");
    expect((await call(`${a.url}/api/session`)).status).toBe(401);
  });

  it("ends a session when its key is revoked or its user disabled, on every replica", async () => {
    const replica = b ?? a;
    const { key, keyId } = await createUserWithKey(a);
    const s = await signIn(a.url, key);
    secrets.push(key, s.token, s.csrf);
    expect((await withCookie(`${replica.url}/api/budget`, s.cookie)).status).toBe(200);
    expect((await call(`${a.url}/api/keys/${keyId}`, { key, method: "DELETE" })).status).toBe(200);
    expect((await withCookie(`${a.url}/api/budget`, s.cookie)).status).toBe(401);
    await expect.poll(async () => (await withCookie(`${replica.url}/api/budget`, s.cookie)).status).toBe(401);
    expect((await withCookie(`${a.url}/api/session`, s.cookie)).status).toBe(401);

    const other = await createUserWithKey(a);
    const o = await signIn(a.url, other.key);
    secrets.push(other.key, o.token, o.csrf);
    const disabled = await call(`${a.url}/api/admin/users/${other.user.id}`, {
      key: a.adminKey,
      method: "PATCH",
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    const refused = await withCookie(`${a.url}/api/budget`, o.cookie);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe("account_disabled");
  });

  it("signs out: the cookie is cleared and no longer works; signing out again is fine", async () => {
    const { key } = await createUserWithKey(a);
    const s = await signIn(a.url, key);
    secrets.push(key, s.token, s.csrf);
    const noToken = await withCookie(`${a.url}/api/session`, s.cookie, { method: "DELETE" });
    expect(noToken.status).toBe(403);
    const out = await withCookie(`${a.url}/api/session`, s.cookie, { method: "DELETE", csrf: s.csrf });
    expect(out.status).toBe(200);
    expect(out.body.data).toEqual({ signed_out: true });
    expect(out.headers.get("set-cookie")).toBe("llmg_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    expect((await withCookie(`${a.url}/api/budget`, s.cookie)).status).toBe(401);
    expect((await withCookie(`${a.url}/api/session`, s.cookie)).status).toBe(401);
    const again = await withCookie(`${a.url}/api/session`, s.cookie, { method: "DELETE" });
    expect(again.status).toBe(200);
    expect((await call(`${a.url}/api/session`, { method: "DELETE" })).status).toBe(200);
    expect(
      await a.database.db
        .selectFrom("sessions")
        .where("token_hash", "=", sha256(s.token))
        .selectAll()
        .execute(),
    ).toEqual([]);
  });

  it("gives the admin key's session the admin endpoints, and user endpoints refuse it as they refuse the key", async () => {
    const s = await signIn(a.url, a.adminKey);
    secrets.push(s.token, s.csrf);
    expect(s.body.data).toMatchObject({ kind: "admin" });
    expect(s.body.data.user).toBeUndefined();
    expect((await withCookie(`${a.url}/api/admin/users`, s.cookie)).status).toBe(200);
    const made = await withCookie(`${a.url}/api/admin/users`, s.cookie, {
      body: { email: `adm${randomBytes(4).toString("hex")}@example.com` },
      csrf: s.csrf,
    });
    expect(made.status).toBe(201);
    expect((await withCookie(`${a.url}/api/budget`, s.cookie)).status).toBe(403);
    // Stored under its token's hash bound to the admin key's hash: still only hashes.
    const row = await a.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("token_hash", "=", sha256(`${sha256(a.adminKey)}:${s.token}`))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: null, api_key_id: null, csrf_hash: sha256(s.csrf) });
    expect(JSON.stringify(row)).not.toContain(s.token);

    // Another admin key (the harness gives each gateway its own, as a changed LLMG_ADMIN_KEY
    // would): the session made with the old one no longer works there.
    if (b) expect((await withCookie(`${b.url}/api/admin/users`, s.cookie)).status).toBe(401);
    const out = await withCookie(`${a.url}/api/session`, s.cookie, { method: "DELETE", csrf: s.csrf });
    expect(out.status).toBe(200);
    expect((await withCookie(`${a.url}/api/admin/users`, s.cookie)).status).toBe(401);
    expect(
      await a.database.db.selectFrom("sessions").selectAll().where("user_id", "is", null).execute(),
    ).toEqual([]);
  });

  it("keeps /v1 Bearer-only: the cookie does not authenticate an OpenAI-style call", async () => {
    const { key } = await createUserWithKey(a);
    const s = await signIn(a.url, key);
    secrets.push(key, s.token, s.csrf);
    const res = await withCookie(`${a.url}/v1/chat/completions`, s.cookie, {
      body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
      csrf: s.csrf,
    });
    expect(res.status).toBe(401);
    expect((await withCookie(`${a.url}/v1/models`, s.cookie)).status).toBe(401);
  });

  it("expires sessions after LLMG_SESSION_TTL_MS", async () => {
    const { key } = await createUserWithKey(short);
    const s = await signIn(short.url, key);
    expect(s.setCookie).toContain("; Max-Age=1");
    expect((await withCookie(`${short.url}/api/budget`, s.cookie)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await withCookie(`${short.url}/api/budget`, s.cookie)).status).toBe(401);
    const expired = await withCookie(`${short.url}/api/session`, s.cookie);
    expect(expired.status).toBe(401);
    expect(expired.body.message).toContain("expired");
  });

  // Last on `short`: once throttled, its address is refused (even the admin key) for a minute.
  it("applies the bad-key throttle to sign-ins and forged cookies", async () => {
    const wrong = `llmg_${"W".repeat(43)}`;
    for (let i = 0; i < 2; i++)
      expect((await call(`${short.url}/api/session`, { body: { key: wrong } })).status).toBe(401);
    expect((await withCookie(`${short.url}/api/keys`, `llmg_session=${"B".repeat(43)}`)).status).toBe(401);
    const throttled = await call(`${short.url}/api/session`, { body: { key: wrong } });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toBe("rate_limit_exceeded");
  });

  it("keeps at most 20 live sessions per key, dropping the oldest", async () => {
    const { key, keyId } = await createUserWithKey(a);
    secrets.push(key);
    const first = await signIn(a.url, key);
    secrets.push(first.token, first.csrf);
    for (let i = 0; i < 20; i++) {
      const s = await signIn(a.url, key);
      secrets.push(s.token, s.csrf);
    }
    const count = await a.database.db
      .selectFrom("sessions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("api_key_id", "=", keyId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(20);
    expect((await withCookie(`${a.url}/api/budget`, first.cookie)).status).toBe(401);
  });

  it("is in the OpenAPI document and the typed client", async () => {
    const doc = (await call(`${a.url}/openapi.json`)).body;
    expect(Object.keys(doc.paths["/session"]).sort()).toEqual(["delete", "get", "post"]);
    // Signing in takes the key in its body: an explicit empty list says it needs no credentials.
    expect(doc.paths["/session"].post.security).toEqual([]);
    expect(doc.paths["/session"].get.security).toEqual([{ sessionCookie: [] }]);
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({
      in: "cookie",
      name: "llmg_session",
    });
    expect(Object.keys(doc.components.schemas.Session.properties)).toEqual(
      expect.arrayContaining(["kind", "user", "expires_at", "csrf_token"]),
    );
    const { key } = await createUserWithKey(a);
    secrets.push(key);
    const signedIn = await createLlmgClient({ baseUrl: a.url }).session.create.mutate({ key });
    secrets.push(signedIn.data.csrf_token);
    expect(signedIn.data.kind).toBe("user");
  });

  it("never logs a key, session token or CSRF token", () => {
    expect(secrets.length).toBeGreaterThan(20);
    const log = lines.join("");
    expect(lines.some((l) => l.includes("/session"))).toBe(true);
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
