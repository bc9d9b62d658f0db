import fc from "fast-check";
import { type JsonSchema, objectOf, validValue } from "./from-schema";
import { hostileIds, hostileStrings, hostileValue } from "./hostile";
import {
  BODY_CODINGS,
  type BodyCoding,
  encodeBody,
  encodeComponent,
  type FuzzRequest,
  toJsonText,
} from "./http";

interface Parameter {
  in: "path" | "query" | "header" | "cookie";
  name: string;
  schema?: JsonSchema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface FuzzOperation {
  method: string;
  /** As in the document, under /api: /credentials/{id}. */
  template: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  bodySchema: JsonSchema | undefined;
  admin: boolean;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** Every operation of /openapi.json, with what the fuzzer needs of it. */
export function operationsOf(doc: { paths?: Record<string, Record<string, Operation>> }): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = operation.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        template,
        pathParams: parameters.filter((p) => p.in === "path"),
        queryParams: parameters.filter((p) => p.in === "query"),
        bodySchema: operation.requestBody?.content?.["application/json"]?.schema,
        admin: template.startsWith("/admin/"),
      });
    }
  }
  return operations;
}

/** Who calls: the right key for the operation most of the time, otherwise none, junk, or the wrong kind. */
export type Auth = "right" | "none" | "wrong-kind" | `junk:${number}`;

const JUNK_AUTH = [
  "Bearer ",
  "Bearer llmg_0000000000000000000000000000000000000000000000000000",
  `Bearer ${"a".repeat(8000)}`,
  "Basic dXNlcjpwYXNz",
  "Bearer llmg_é",
  "bearer",
  "Bearer llmg_admin_",
  "Bearer null",
];

export const authArbitrary: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 12, arbitrary: fc.constant("right" as const) },
  { weight: 1, arbitrary: fc.constant("none" as const) },
  { weight: 1, arbitrary: fc.constant("wrong-kind" as const) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: JUNK_AUTH.length - 1 }).map((i) => `junk:${i}` as const),
  },
);

export function authHeader(auth: Auth, keys: { right: string; wrongKind: string }): Record<string, string> {
  if (auth === "none") return {};
  if (auth === "right") return { authorization: `Bearer ${keys.right}` };
  if (auth === "wrong-kind") return { authorization: `Bearer ${keys.wrongKind}` };
  return { authorization: JUNK_AUTH[Number(auth.slice(5))] ?? "" };
}

// Strings short enough for a URL: node answers 431 by itself past 16 KB of headers, before the app.
const urlStrings = hostileStrings.filter((s) => s.length <= 5000);

// Path segments sent verbatim (not encoded): dot segments, raw and broken percent escapes.
const RAW_SEGMENTS = ["..", ".", "%00", "%zz", "%", "%ED%A0%80", "%FF", "a%2Fb", "%2e%2e", "..%2F..%2Fetc"];

type Segment = { raw: string } | { text: string };

function segmentArbitrary(param: Parameter, knownIds: readonly string[]): fc.Arbitrary<Segment> {
  const choices: fc.Arbitrary<Segment>[] = [
    fc.constantFrom(...hostileIds).map((text) => ({ text })),
    fc.constantFrom(...RAW_SEGMENTS).map((raw) => ({ raw })),
  ];
  if (knownIds.length > 0) choices.push(fc.constantFrom(...knownIds).map((text) => ({ text })));
  if (param.schema) choices.push(validValue(capStrings(param.schema, 100)).map((v) => ({ text: String(v) })));
  return fc.oneof(...choices);
}

/** The schema with every string capped at `max` characters (a URL has room for a few KB only). */
function capStrings(schema: JsonSchema, max: number): JsonSchema {
  return {
    ...schema,
    maxLength: Math.min(schema.maxLength ?? max, max),
    ...(schema.items ? { items: capStrings(schema.items, max) } : {}),
    ...(schema.anyOf ? { anyOf: schema.anyOf.map((s) => capStrings(s, max)) } : {}),
  };
}

function queryValueArbitrary(param: Parameter): fc.Arbitrary<string[]> {
  const valid = param.schema
    ? validValue(capStrings(param.schema, 100)).map((v) => (Array.isArray(v) ? v.map(String) : [String(v)]))
    : fc.constant<string[]>(["x"]);
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 2, arbitrary: fc.constantFrom(...urlStrings).map((s) => [s]) },
    // the same key twice: the "simple" query parser makes it an array
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...urlStrings)).map(([a, b]) => [...a, b]) },
  );
}

const GARBAGE_BODIES = [
  "{",
  '{"a":',
  "nul",
  "[1,]",
  '{"a":1}}',
  "\ufeff{}",
  "'{}'",
  '{"a":1e400}',
  "null",
  '"text"',
  "[]",
  "1",
  "-0",
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":1,"a":2}',
];

export interface BodyPlan {
  text: string;
  coding: BodyCoding;
}

function bodyArbitrary(schema: JsonSchema | undefined): fc.Arbitrary<BodyPlan | undefined> {
  const coding = fc.oneof(
    { weight: 10, arbitrary: fc.constant<BodyCoding>("json") },
    { weight: 1, arbitrary: fc.constantFrom(...BODY_CODINGS) },
  );
  const hostileBody = fc.oneof(
    { weight: 2, arbitrary: hostileValue.map(toJsonText) },
    { weight: 2, arbitrary: fc.constantFrom(...GARBAGE_BODIES) },
  );
  if (!schema)
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.record({ text: hostileBody, coding }) },
    );
  const text = fc.oneof(
    { weight: 8, arbitrary: objectOf(schema, 0, 1).map(toJsonText) },
    { weight: 2, arbitrary: hostileBody },
  );
  return fc.oneof(
    { weight: 12, arbitrary: fc.record({ text, coding }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

export interface CasePlan {
  auth: Auth;
  method: string;
  segments: Segment[];
  query: [string, string[]][];
  body: BodyPlan | undefined;
}

const OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** The cases of one operation: auth, path, query and body, each valid or hostile. */
export function caseArbitrary(op: FuzzOperation, knownIds: readonly string[]): fc.Arbitrary<CasePlan> {
  const query = fc
    .tuple(
      ...op.queryParams.map((param) =>
        fc.option(queryValueArbitrary(param), { freq: 3 }).map((values) => [param.name, values] as const),
      ),
      fc.option(
        fc.tuple(fc.constantFrom("extra", "__proto__", "page[x]", ""), fc.constantFrom(...urlStrings)),
      ),
    )
    .map((entries) => {
      const extra = entries.pop() as [string, string] | null;
      const pairs = (entries as (readonly [string, string[] | null])[])
        .filter((e): e is readonly [string, string[]] => e[1] !== null)
        .map(([name, values]) => [name, values] as [string, string[]]);
      if (extra) pairs.push([extra[0], [extra[1]]]);
      return pairs;
    });
  return fc.record({
    auth: authArbitrary,
    method: fc.oneof(
      { weight: 20, arbitrary: fc.constant(op.method) },
      { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
    ),
    segments: fc.tuple(...op.pathParams.map((p) => segmentArbitrary(p, knownIds))),
    query,
    body: bodyArbitrary(op.bodySchema),
  });
}

export function buildRequest(
  op: FuzzOperation,
  plan: CasePlan,
  keys: { admin: string; user: string },
): FuzzRequest {
  let index = 0;
  let path = `/api${op.template}`.replace(/\{[^}]+\}/g, () => {
    const segment = plan.segments[index++];
    if (!segment) return "";
    return "raw" in segment ? segment.raw : encodeComponent(segment.text);
  });
  const query = plan.query.flatMap(([name, values]) =>
    values.map((value) => `${encodeComponent(name)}=${encodeComponent(value)}`),
  );
  if (query.length > 0) path += `?${query.join("&")}`;
  const right = op.admin ? keys.admin : keys.user;
  const wrongKind = op.admin ? keys.user : keys.admin;
  const headers = authHeader(plan.auth, { right, wrongKind });
  if (!plan.body) return { method: plan.method, path, headers };
  const encoded = encodeBody(plan.body.text, plan.body.coding);
  return {
    method: plan.method,
    path,
    headers: { ...headers, ...encoded.headers },
    ...(encoded.body ? { body: encoded.body } : {}),
  };
}
