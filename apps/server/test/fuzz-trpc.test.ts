import { appRouter } from "@llmg/api";
import type { DbKind } from "@llmg/db";
import { testBackends } from "@llmg/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostileIds, hostileValue } from "./fuzz/hostile";
import {
  BODY_CODINGS,
  type BodyCoding,
  encodeBody,
  encodeComponent,
  errorLogs,
  type FuzzRequest,
  FuzzTally,
  fuzzRuns,
  fuzzSeed,
  runAll,
  send,
  toJsonText,
  trpcProblem,
} from "./fuzz/http";
import { type Auth, authArbitrary, authHeader } from "./fuzz/operations";
import { createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const RUNS: Record<DbKind, number> = { postgres: fuzzRuns(400), pglite: Math.ceil(fuzzRuns(400) / 8) };

interface Procedure {
  path: string;
  type: "query" | "mutation" | "subscription";
}

const procedures: Procedure[] = Object.entries(
  (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: Procedure["type"] } }> } })
    ._def.procedures,
).map(([path, procedure]) => ({ path, type: procedure._def.type }));

const GARBAGE_NAMES = [
  "nope",
  "__proto__",
  "constructor",
  "toString",
  "keys.list.extra",
  "keys..list",
  "",
  "a".repeat(2000),
  "%00",
  "keys%2Elist",
  "..",
  "%zz",
  "😀",
];

// Input keys the procedures read, so hostile values land where they are looked at.
const INPUT_KEYS = [
  "id",
  "name",
  "email",
  "page",
  "per_page",
  "provider",
  "model",
  "messages",
  "metadata",
  "api_key",
  "limit_usd",
  "from",
  "to",
  "cursor",
];

const inputValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileValue },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...INPUT_KEYS), hostileValue, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom({}, { id: "key_nope" }, { page: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(...hostileIds).map((id) => ({ id })) },
);

// Raw texts for the `input` parameter or the body: tRPC parses them itself.
const GARBAGE_TEXTS = [
  "",
  "{",
  "nul",
  "[]",
  '{"0":',
  "undefined",
  '{"0":{"json":1}}',
  "\ufeff{}",
  '"\\ud800"',
  "1e400",
];

interface TrpcCase {
  auth: Auth;
  names: string[];
  batch: "none" | "1" | "0" | "true" | "missing-input";
  swapMethod: boolean;
  input: unknown;
  garbage: string | null;
  coding: BodyCoding;
}

const nameArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...procedures.map((p) => p.path)) },
  { weight: 1, arbitrary: fc.constantFrom(...GARBAGE_NAMES) },
);

const caseArbitrary: fc.Arbitrary<TrpcCase> = fc.record({
  auth: authArbitrary,
  names: fc.oneof(
    { weight: 6, arbitrary: nameArbitrary.map((n) => [n]) },
    { weight: 3, arbitrary: fc.array(nameArbitrary, { minLength: 2, maxLength: 6 }) },
    // one procedure twenty times (a long garbage name would only hit node's 16 KB header limit)
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...procedures.map((p) => p.path))
        .map((n) => Array.from({ length: 20 }, () => n)),
    },
  ),
  batch: fc.constantFrom("none", "1", "1", "0", "true", "missing-input"),
  swapMethod: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  input: inputValue,
  garbage: fc.option(fc.constantFrom(...GARBAGE_TEXTS), { freq: 6 }),
  coding: fc.oneof(
    { weight: 8, arbitrary: fc.constant<BodyCoding>("json") },
    { weight: 1, arbitrary: fc.constantFrom(...BODY_CODINGS) },
  ),
});

function buildRequest(c: TrpcCase, keys: { user: string; admin: string }): FuzzRequest {
  const first = procedures.find((p) => p.path === c.names[0]);
  const isAdmin = c.names[0]?.startsWith("admin.") ?? false;
  const auth = authHeader(c.auth, {
    right: isAdmin ? keys.admin : keys.user,
    wrongKind: isAdmin ? keys.user : keys.admin,
  });
  let method = first?.type === "mutation" ? "POST" : "GET";
  if (c.swapMethod) method = method === "GET" ? "POST" : "GET";
  const names = c.names.map(encodeComponent).join(",");
  const batched = c.batch !== "none";
  const inputText =
    c.garbage ??
    (batched
      ? toJsonText(Object.fromEntries(c.names.map((_, i) => [String(i), c.input])))
      : toJsonText(c.input));
  const params: string[] = [];
  if (batched) params.push(`batch=${c.batch === "missing-input" ? "1" : c.batch}`);
  if (method === "GET") {
    if (c.batch !== "missing-input") params.push(`input=${encodeComponent(inputText.slice(0, 4000))}`);
    return { method, path: `/trpc/${names}${params.length ? `?${params.join("&")}` : ""}`, headers: auth };
  }
  const encoded = encodeBody(inputText, c.coding);
  return {
    method,
    path: `/trpc/${names}${params.length ? `?${params.join("&")}` : ""}`,
    headers: { ...auth, ...encoded.headers },
    ...(encoded.body ? { body: encoded.body } : {}),
  };
}

/**
 * /trpc with garbage: unknown and repeated procedure names, batches with missing or malformed
 * inputs, wrong methods and content types, hostile input values. tRPC keeps its own error shape;
 * every error must still be a 4xx carrying our snake_case code in data.error.
 */
describe.each(testBackends())("fuzzing /trpc (%s)", (kind) => {
  let t: TestGateway;
  let userKey: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await startTestGateway(kind, { env: { LOG_LEVEL: "error" }, logLines });
    userKey = (await createUserWithKey(t)).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers garbage batches and inputs with 4xx errors in tRPC's shape", async () => {
    const seed = fuzzSeed();
    const cases = fc.sample(caseArbitrary, { seed, numRuns: RUNS[kind] });
    const tally = new FuzzTally();
    await runAll(cases, 4, async (c) => {
      const req = buildRequest(c, { user: userKey, admin: t.adminKey });
      const res = await send(t.url, req);
      tally.record(req, res, trpcProblem(res));
    });
    const summary = tally.summary(`/trpc (${kind}, ${procedures.length} procedures)`, seed);
    console.log(summary);
    if (process.env.LLMG_FUZZ_DUMP)
      for (const failure of tally.failures) console.log(JSON.stringify(failure));
    // A 4xx can still hide our own failure: nothing may be logged as an error, except PostgreSQL
    // refusing input no schema refused (reported, for the schema that lets it through).
    const logs = errorLogs(logLines);
    for (const line of logs.databaseInput.slice(0, 5)) console.warn(`database refused input: ${line}`);
    expect(
      tally.failures.slice(0, 20).map(({ replay: _, ...failure }) => failure),
      summary,
    ).toEqual([]);
    expect(logs.other.slice(0, 10), "error-level log lines").toEqual([]);
  }, 120_000);
});
