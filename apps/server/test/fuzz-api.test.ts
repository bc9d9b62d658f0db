import type { DbKind } from "@llmg/db";
import { testBackends } from "@llmg/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { envelopeProblem, errorLogs, FuzzTally, fuzzRuns, fuzzSeed, runAll, send } from "./fuzz/http";
import { buildRequest, caseArbitrary, type FuzzOperation, operationsOf } from "./fuzz/operations";
import { call } from "./harness";

// Cases per operation: PostgreSQL gets the full run, PGlite (slower, in-process) an eighth.
const RUNS: Record<DbKind, number> = { postgres: fuzzRuns(40), pglite: Math.ceil(fuzzRuns(40) / 8) };

/**
 * Every operation of /openapi.json, driven with wrong types, extreme numbers, 100 KB strings,
 * NUL bytes, lone surrogates, 10,000-deep bodies, hostile ids, missing and extra fields, wrong
 * content types and keys, over real HTTP: no answer may be a 5xx, every error is our envelope
 * with a 4xx status, and none carries a stack or an SQL message.
 */
describe.each(testBackends())("fuzzing /api from its OpenAPI document (%s)", (kind) => {
  let f: ChatFixture;
  const logLines: string[] = [];
  let operations: FuzzOperation[];
  const knownIds: string[] = [];

  beforeAll(async () => {
    f = await startChatFixture(kind, { LOG_LEVEL: "error" }, { logLines });
    const { t, user } = f;
    operations = operationsOf((await call(`${t.url}/openapi.json`)).body);
    // Real ids give the hostile bodies a row to reach; the fuzzing user's own key is left out so
    // a DELETE cannot lock the run out.
    const other = await call(`${t.url}/api/admin/users`, {
      key: t.adminKey,
      body: { email: "fuzz-other@example.com" },
    });
    const victim = await call(`${t.url}/api/keys`, { key: user.key, body: { name: "victim" } });
    const credentials = await call(`${t.url}/api/credentials`, { key: user.key });
    const chat = await call(`${t.url}/api/chat/completions`, {
      key: user.key,
      body: { provider: "openai", model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
    });
    const requests = await call(`${t.url}/api/usage/requests`, { key: user.key });
    expect(chat.status, JSON.stringify(chat.body)).toBe(200);
    knownIds.push(
      other.body.data.id,
      victim.body.data.id,
      ...credentials.body.data.map((c: { id: string }) => c.id),
      ...requests.body.data.map((r: { id: string }) => r.id),
      "openai",
      "gpt-4o-mini",
    );
  });
  afterAll(async () => {
    await f?.close();
  });

  it("covers every operation of the document", () => {
    expect(operations.length).toBeGreaterThanOrEqual(29);
  });

  it("answers every generated request with a 4xx envelope or a success, never a 5xx", async () => {
    const seed = fuzzSeed();
    const keys = { admin: f.t.adminKey, user: f.user.key };
    const tally = new FuzzTally();
    for (const [index, op] of operations.entries()) {
      const plans = fc.sample(caseArbitrary(op, knownIds), { seed: seed + index, numRuns: RUNS[kind] });
      await runAll(plans, 4, async (plan) => {
        const req = buildRequest(op, plan, keys);
        const res = await send(f.t.url, req);
        tally.record(req, res, envelopeProblem(res));
      });
    }
    const summary = tally.summary(`/api (${kind}, ${operations.length} operations)`, seed);
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
