import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { errorFields } from "@llmg/api";
import { testBackends } from "@llmg/db/testing";
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { errorLogs } from "./fuzz/http";
import { call } from "./harness";

const DEEP = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;

/** A raw request: express-path bodies (gzip) and URLs fetch would rewrite. */
function raw(
  url: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer },
) {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      { host: hostname, port, path, method: init.method ?? "POST", headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

function expectEnvelope(res: { status: number; body: any }, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ success: false, error, message: expect.any(String) });
  expect(res.body.request_id).toMatch(/^req_/);
}

function expectOpenAiError(res: { status: number; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body.error).toMatchObject({ message: expect.any(String), type: expect.any(String), code });
  expect(res.body.error).toHaveProperty("param");
}

/**
 * Each input here made the gateway answer 500 before (found by the fuzz suites, fuzz-*.test.ts);
 * now each is a 4xx in the surface's own error shape.
 */
describe.each(testBackends())("hostile input answers 4xx (%s)", (kind) => {
  let f: ChatFixture;
  let auth: Record<string, string>;
  const logLines: string[] = [];
  beforeAll(async () => {
    f = await startChatFixture(kind, { LOG_LEVEL: "error" }, { logLines });
    auth = { authorization: `Bearer ${f.user.key}` };
  });
  afterAll(async () => {
    await f?.close();
  });

  it("refuses a 10,000-deep JSON body on every path, before it overflows a stack", async () => {
    const json = { ...auth, "content-type": "application/json" };
    const api = await raw(f.t.url, "/api/keys", { headers: json, body: Buffer.from(`{"name":${DEEP}}`) });
    expectEnvelope(api, 400, "validation_error");
    expect(api.body.message).toMatch(/nested deeper than 128/);

    const chat = `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":{"a":${DEEP}}}`;
    expectOpenAiError(
      await raw(f.t.url, "/v1/chat/completions", { headers: json, body: Buffer.from(chat) }),
      400,
      "validation_error",
    );
    const gzip = { ...json, "content-encoding": "gzip" };
    expectOpenAiError(
      await raw(f.t.url, "/v1/chat/completions", { headers: gzip, body: gzipSync(chat) }),
      400,
      "validation_error",
    );

    // /trpc reads its own body: the stack overflow in the input schema is a 400 with a plain message.
    const trpc = await raw(f.t.url, "/trpc/chat.completions", {
      headers: json,
      body: Buffer.from(
        `{"provider":"openai","model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":{"a":${DEEP}}}`,
      ),
    });
    expect(trpc.status).toBe(400);
    // Metadata's own depth rule (8 levels) answers first, naming the field; either way a 400
    // with a plain message rather than a stack overflow.
    expect(trpc.body.error.data).toMatchObject({ error: "validation_error" });
    expect(trpc.body.error.data.message).toMatch(/nested (too deeply|deeper than)/);
  });

  it("answers a body that claims gzip but is not with 400, on /api and on /v1", async () => {
    const headers = { ...auth, "content-type": "application/json", "content-encoding": "gzip" };
    const body = Buffer.from('{"name":"x"}');
    expectEnvelope(await raw(f.t.url, "/api/keys", { headers, body }), 400, "validation_error");
    expectOpenAiError(await raw(f.t.url, "/v1/chat/completions", { headers, body }), 400, "validation_error");
  });

  it("refuses NUL and unpaired surrogates in stored text and ids, naming the field", async () => {
    for (const name of ["a\u0000b", "x\ud800y"]) {
      const res = await call(`${f.t.url}/api/keys`, { key: f.user.key, body: { name } });
      expectEnvelope(res, 400, "validation_error");
      expect(res.body.details[0].field).toBe("name");
    }
    const credential = await call(`${f.t.url}/api/credentials`, {
      key: f.user.key,
      body: { provider: "openai", name: "n\u0000", api_key: "sk-0123456789" },
    });
    expectEnvelope(credential, 400, "validation_error");
    // REST path segments stay percent-encoded (cred_%00 is just not found); tRPC inputs are JSON.
    const trpc = await call(`${f.t.url}/trpc/keys.delete`, { key: f.user.key, body: { id: "key_\u0000" } });
    expect(trpc.status).toBe(400);
    expect(trpc.body.error.data).toMatchObject({ error: "validation_error", code: "BAD_REQUEST" });
  });

  it("refuses /v1 tools, tool_choice and response_format of the wrong shape", async () => {
    const base = { model: "google/gemini-2.0-flash-lite", messages: [{ role: "user", content: "hi" }] };
    for (const extra of [
      { tools: [false, [1]] },
      { tools: [{ type: "function" }] },
      { tool_choice: { type: "function" } },
      { response_format: { type: "xml" } },
    ]) {
      const res = await call(`${f.t.url}/v1/chat/completions`, {
        key: f.user.key,
        body: { ...base, ...extra },
      });
      expectOpenAiError(res, 400, "validation_error");
    }
    // null still means absent, as the Python SDK sends it
    const ok = await call(`${f.t.url}/v1/chat/completions`, {
      key: f.user.key,
      body: { ...base, tools: null, tool_choice: null, response_format: null },
    });
    expect(ok.status).toBe(200);
  });

  it("answers a request line past node's 16 KB limit in our envelope", async () => {
    const res = await raw(f.t.url, `/api/keys?x=${"a".repeat(20_000)}`, { method: "GET", headers: auth });
    expectEnvelope(res, 431, "validation_error");
  });

  it("refuses forged cursors whose key or id the database could not read", async () => {
    for (let i = 0; i < 2; i++) {
      const chat = await call(`${f.t.url}/api/chat/completions`, {
        key: f.user.key,
        body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
      });
      expect(chat.status).toBe(200);
    }
    const forgeries: Record<string, { k?: string; i?: string }[]> = {
      created_at: [{ k: "-999999999999999999" }, { k: "999999999999999999" }, { i: "req_\u0000" }],
      latency: [{ k: "99999999999" }, { k: "-2147483649" }],
      total_tokens: [{ k: "2147483648" }, { i: "\ud800" }],
    };
    for (const [sort, changes] of Object.entries(forgeries)) {
      const first = await call(`${f.t.url}/api/usage/requests?per_page=1&sort=${sort}`, { key: f.user.key });
      const cursor = first.body.pagination.next_cursor as string;
      const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      for (const change of changes) {
        const forged = Buffer.from(JSON.stringify({ ...decoded, ...change })).toString("base64url");
        const res = await call(`${f.t.url}/api/usage/requests?per_page=1&sort=${sort}&cursor=${forged}`, {
          key: f.user.key,
        });
        expectEnvelope(res, 400, "validation_error");
        expect(res.body.details[0].field).toBe("cursor");
      }
    }
    // Refused by the cursor's own checks, not by the database (which would log an error).
    expect(errorLogs(logLines)).toEqual({ databaseInput: [], other: [] });
  });

  it("maps PostgreSQL's input errors to 400 without their text, thrown bare or inside tRPC", async () => {
    const failures = [
      sql`select ${"a\u0000b"}::text`,
      sql`select '1e400'::float8`,
      sql`select 'abc'::integer`,
      sql`select 40000::smallint`,
    ];
    for (const query of failures) {
      const error = await query.execute(f.t.database.db).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      for (const thrown of [error, new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error })]) {
        const fields = errorFields(thrown);
        expect(fields).toMatchObject({ status: 400, error: "validation_error" });
        expect(fields.message).not.toMatch(/select|float8|integer|smallint|0x00/i);
      }
    }
    // Anything else stays an internal error: a missing table is our bug, not the caller's.
    const ours = await sql`select * from no_such_table`.execute(f.t.database.db).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(errorFields(ours)).toMatchObject({ status: 500, error: "internal_error" });
  });
});
