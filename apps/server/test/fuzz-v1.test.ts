import type { DbKind } from "@llmg/db";
import { testBackends } from "@llmg/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { openAiChatRequest } from "../src/http/v1/request-schema";
import { type ChatFixture, startChatFixture } from "./chat-harness";
import { type JsonSchema, objectOf } from "./fuzz/from-schema";
import { hostileValue } from "./fuzz/hostile";
import {
  type BodyCoding,
  encodeBody,
  errorLogs,
  type FuzzRequest,
  type FuzzResponse,
  FuzzTally,
  fuzzRuns,
  fuzzSeed,
  openAiProblem,
  runAll,
  send,
  toJsonText,
} from "./fuzz/http";
import { type Auth, authArbitrary, authHeader } from "./fuzz/operations";
import { call } from "./harness";

const RUNS: Record<DbKind, number> = { postgres: fuzzRuns(300), pglite: Math.ceil(fuzzRuns(300) / 8) };

// How the body travels decides the code path: plain JSON takes the server's fast path, anything
// else (compressed, another charset, another type) goes through express and body-parser.
const CODINGS = fc.oneof(
  { weight: 6, arbitrary: fc.constant<BodyCoding>("json") },
  { weight: 1, arbitrary: fc.constant<BodyCoding>("json-charset") },
  { weight: 4, arbitrary: fc.constant<BodyCoding>("gzip") },
  {
    weight: 2,
    arbitrary: fc.constantFrom<BodyCoding>(
      "json-latin1",
      "bad-gzip",
      "text-plain",
      "form",
      "no-type",
      "empty",
      "invalid-utf8",
    ),
  },
);

const METADATA_HEADERS = [
  '{"team":"a\\u0000b"}',
  '{"\\u0000":1}',
  '{"a":"\\ud800"}',
  "not json",
  "[]",
  "null",
  '"text"',
  // 1,000 deep: a header has room for 16 KB only
  `${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`,
  `{"k":"${"v".repeat(5000)}"}`,
  '{"n":1e400}',
];

interface V1Case {
  auth: Auth;
  body: string;
  coding: BodyCoding;
  query: boolean;
  metadata: string | null;
}

function isFastPath(coding: BodyCoding): boolean {
  return coding === "json" || coding === "json-charset" || coding === "empty" || coding === "invalid-utf8";
}

/** Server-sent events must carry no internal error either, once the 200 is gone. */
function streamProblem(res: FuzzResponse): string | undefined {
  if (!String(res.headers["content-type"]).startsWith("text/event-stream")) return undefined;
  for (const block of res.text.split("\n\n")) {
    const data = block.trim();
    if (!data.startsWith("data: ") || data === "data: [DONE]") continue;
    let event: { error?: { code?: string } };
    try {
      event = JSON.parse(data.slice("data: ".length));
    } catch {
      return "stream event is not JSON";
    }
    if (event.error && event.error.code === "internal_error") return "stream ended with internal_error";
  }
  return undefined;
}

/**
 * A valid body made to follow the cross-field tool rules (packages/api chat/tool-rules.ts): tool
 * names of OpenAI's pattern, tool_choice and parallel_tool_calls only with tools, a named choice
 * of a listed tool, a json_schema name of the pattern, no tool message answering no call.
 */
function followToolRules(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const body = { ...(value as Record<string, any>) };
  const tools = Array.isArray(body.tools) ? body.tools : [];
  tools.forEach((tool: any, i: number) => {
    if (tool?.function) tool.function.name = `tool_${i}`;
  });
  if (tools.length === 0) {
    delete body.tool_choice;
    delete body.parallel_tool_calls;
  } else if (typeof body.tool_choice === "object" && body.tool_choice?.function) {
    body.tool_choice.function.name = "tool_0";
  }
  if (body.response_format?.json_schema) body.response_format.json_schema.name = "schema_1";
  if (Array.isArray(body.messages)) {
    const kept = body.messages.filter((m: any) => m?.role !== "tool");
    body.messages = kept.length > 0 ? kept : [{ role: "user", content: "hi" }];
  }
  return body;
}

/**
 * POST /v1/chat/completions with bodies after OpenAI's request schema, each field valid or
 * hostile, sent both through the raw fast path and through express: no 5xx, every error in
 * OpenAI's shape ({error:{message,type,param,code}}), no stack or SQL in any answer.
 */
describe.each(testBackends())("fuzzing /v1/chat/completions (%s)", (kind) => {
  let f: ChatFixture;
  const logLines: string[] = [];
  let schema: JsonSchema;

  beforeAll(async () => {
    f = await startChatFixture(kind, { LOG_LEVEL: "error" }, { logLines });
    const models = await call(`${f.t.url}/v1/models`, { key: f.user.key });
    const ids = (models.body.data as { id: string }[]).map((m) => m.id);
    schema = z.toJSONSchema(openAiChatRequest, { io: "input", unrepresentable: "any" }) as JsonSchema;
    // Known models mostly, so that bodies get past the catalog to the providers.
    const modelEnum = { enum: ids.filter((_, i) => i % 7 === 0) };
    schema.properties = {
      ...schema.properties,
      model: { anyOf: [modelEnum, modelEnum, modelEnum, { type: "string", maxLength: 300 }] },
    };
  });
  afterAll(async () => {
    await f?.close();
  });

  it("answers every generated chat request in OpenAI's error shape or with a completion", async () => {
    const seed = fuzzSeed();
    const body = fc.oneof(
      { weight: 6, arbitrary: objectOf(schema, 0, 1).map(toJsonText) },
      { weight: 4, arbitrary: objectOf(schema, 0, 1, 1).map(toJsonText) },
      { weight: 1, arbitrary: hostileValue.map(toJsonText) },
      // The tool rules are cross-field (a superRefine, not in the JSON schema): bodies made to
      // follow them, so some still get through to a provider.
      { weight: 3, arbitrary: objectOf(schema, 0, 0).map(followToolRules).map(toJsonText) },
    );
    const cases = fc.sample(
      fc.record<V1Case>({
        auth: authArbitrary,
        body,
        coding: CODINGS,
        query: fc.boolean(),
        metadata: fc.option(fc.constantFrom(...METADATA_HEADERS), { freq: 8 }),
      }),
      { seed, numRuns: RUNS[kind] },
    );
    const tally = new FuzzTally();
    const paths = new Map<string, number>();
    await runAll(cases, 4, async (c) => {
      const encoded = encodeBody(c.body, c.coding);
      const req: FuzzRequest = {
        method: "POST",
        path: `/v1/chat/completions${c.query ? "?x=%00&y=%zz" : ""}`,
        headers: {
          ...authHeader(c.auth, { right: f.user.key, wrongKind: f.t.adminKey }),
          ...encoded.headers,
          ...(c.metadata !== null ? { "x-llmg-metadata": c.metadata } : {}),
        },
        ...(encoded.body ? { body: encoded.body } : {}),
      };
      const res = await send(f.t.url, req);
      const path = isFastPath(c.coding) ? "fast" : "express";
      paths.set(path, (paths.get(path) ?? 0) + 1);
      tally.record(req, res, openAiProblem(res) ?? streamProblem(res));
    });
    for (const fake of Object.values(f.fakes)) fake.reset();
    const summary = `${tally.summary(`/v1/chat/completions (${kind})`, seed)}; fast path ${paths.get("fast")}, express ${paths.get("express")}`;
    console.log(summary);
    if (process.env.LLMG_FUZZ_DUMP)
      for (const failure of tally.failures) console.log(JSON.stringify(failure));
    // A 4xx can still hide our own failure: nothing may be logged as an error, except PostgreSQL
    // refusing input no schema refused (reported, for the schema that lets it through).
    const logs = errorLogs(logLines);
    for (const line of logs.databaseInput.slice(0, 5)) console.warn(`database refused input: ${line}`);
    expect(tally.byStatus.get(200) ?? 0, "some bodies must get through to a provider").toBeGreaterThan(0);
    expect(
      tally.failures.slice(0, 20).map(({ replay: _, ...failure }) => failure),
      summary,
    ).toEqual([]);
    expect(logs.other.slice(0, 10), "error-level log lines").toEqual([]);
  }, 120_000);
});
