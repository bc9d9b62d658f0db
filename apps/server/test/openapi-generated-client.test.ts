import { symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";
import { type OutsideProject, outsideProject, run, strictTsconfig } from "./outside-project";

const serverDir = resolve(import.meta.dirname, "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const openapiTypescript = join(serverDir, "node_modules/.bin/openapi-typescript");

type Operation = {
  operationId?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
  parameters?: unknown[];
};

/** An openapi-fetch call as a REST user writes it, against the types generated from /openapi.json. */
function sample(url: string, key: string, keyId: string): string {
  return `import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const client = createClient<paths>({
  baseUrl: ${JSON.stringify(`${url}/api`)},
  headers: { authorization: ${JSON.stringify(`Bearer ${key}`)} },
});
const got = await client.GET("/keys/{id}", { params: { path: { id: ${JSON.stringify(keyId)} } } });
if (!got.data) throw new Error(got.error?.message);
const scopes: ("chat" | "read" | "manage")[] = got.data.data.scopes;
const created = await client.POST("/keys", { body: { name: "from-openapi-fetch", scopes: ["read"] } });
const missing = await client.DELETE("/keys/{id}", { params: { path: { id: "key_missing" } } });
console.log(JSON.stringify({ scopes, created: created.data?.data.name, missing: missing.error?.error }));
`;
}

/** Mistakes the generated types must catch: a path parameter left out, a field read with the wrong type. */
const MISTAKES = `import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:1/api" });
const got = await client.GET("/keys/{id}", { params: {} });
const name: number | undefined = got.data?.data.name;
console.log(name);
`;

/** Whether an example appears in a schema, following $refs into the components. */
function hasExample(node: unknown, schemas: Record<string, unknown>, seen = new Set<unknown>()): boolean {
  if (!node || typeof node !== "object" || seen.has(node)) return false;
  seen.add(node);
  const ref = (node as { $ref?: string }).$ref;
  if (ref) return hasExample(schemas[ref.split("/").pop()!], schemas, seen);
  if ("example" in node || "examples" in node) return true;
  return Object.values(node).some((child) => hasExample(child, schemas, seen));
}

describe("REST clients generated from /openapi.json", () => {
  let t: TestGateway;
  let doc: any;
  let project: OutsideProject;

  beforeAll(async () => {
    t = await startTestGateway("pglite");
    doc = (await call(`${t.url}/openapi.json`)).body;
    project = outsideProject("openapi-fetch");
    // openapi-fetch as this package installed it, without a network install of its own.
    symlinkSync(join(serverDir, "node_modules"), join(project.dir, "node_modules"), "dir");
  });
  afterAll(async () => {
    project?.remove();
    await t?.close();
  });

  it("describes every operation: id, declared tags, schemas, error envelope and examples", () => {
    const declaredTags = new Map<string, string>(
      doc.tags.map((tag: { name: string; description: string }) => [tag.name, tag.description]),
    );
    const ids = new Set<string>();
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Operation>).map(([method, op]) => ({
        at: `${method} ${path}`,
        op,
      })),
    );
    expect(operations.length).toBeGreaterThan(50);
    for (const { at, op } of operations) {
      expect(op.operationId, at).toMatch(/^[\w-]+$/);
      expect(ids.has(op.operationId!), `${at}: ${op.operationId} twice`).toBe(false);
      ids.add(op.operationId!);
      expect(op.tags?.length, at).toBeGreaterThan(0);
      for (const tag of op.tags!) expect(declaredTags.get(tag), `${at}: tag ${tag}`).toBeTruthy();
      if (op.requestBody) expect(op.requestBody.content?.["application/json"]?.schema, at).toBeDefined();
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith("2"));
      expect(success, at).toHaveLength(1);
      const content = op.responses[success[0]!]!.content ?? {};
      // GET /usage/export answers a file (CSV or JSON Lines); every other operation answers JSON.
      const ok = content["application/json"] ?? content["text/csv"];
      expect(ok?.schema, at).toBeDefined();
      const errors = statuses.filter((s) => /^[45]/.test(s));
      expect(errors, at).toContain("400");
      for (const status of errors) {
        const body = op.responses[status]!.content?.["application/json"];
        expect(body?.schema, `${at} ${status}`).toEqual({ $ref: "#/components/schemas/ErrorEnvelope" });
        expect(body?.example, `${at} ${status}`).toMatchObject({ success: false, error: expect.any(String) });
      }
      const shapes = { ok, request: op.requestBody, parameters: op.parameters };
      expect(hasExample(shapes, doc.components.schemas), `${at}: no example`).toBe(true);
    }
  });

  it("generates types without a warning, and an openapi-fetch call type-checks and runs", async () => {
    const { key, keyId } = await createUserWithKey(t);
    project.write("openapi.json", JSON.stringify(doc));
    // Redocly's strictest preset (openapi-typescript lints with Redocly; its default rules let a
    // duplicate operationId or an undeclared path parameter through). The project names no
    // licence, so the document has none to state.
    project.write(
      "redocly.yaml",
      "extends:\n  - recommended-strict\nrules:\n  info-license: off\n  operation-tag-defined: error\n",
    );
    const generated = await run(
      openapiTypescript,
      ["openapi.json", "-o", "schema.d.ts", "--redocly", "redocly.yaml"],
      { cwd: project.dir, timeoutMs: 120_000 },
    );
    expect(generated.code, generated.output).toBe(0);
    // openapi-typescript prints each problem its lint finds (" ⚠  " for a warning, " ✘  " for an
    // error) and may still write the types.
    expect(generated.output).not.toMatch(/\u26A0|\u2718/);

    project.write("sample.ts", sample(t.url, key, keyId));
    project.write("mistakes.ts", MISTAKES);
    project.write("tsconfig.json", strictTsconfig(["sample.ts"], true));
    project.write("tsconfig.mistakes.json", strictTsconfig(["mistakes.ts"], false));
    const checked = await run("node", [tsc, "-p", "tsconfig.json"], { cwd: project.dir, timeoutMs: 120_000 });
    expect(checked.code, checked.output).toBe(0);

    const refused = await run("node", [tsc, "-p", "tsconfig.mistakes.json"], {
      cwd: project.dir,
      timeoutMs: 120_000,
    });
    const errors = refused.stdout.split("\n").filter((line) => line.includes("error TS"));
    expect(errors, refused.output).toEqual([
      expect.stringMatching(/^mistakes\.ts\(5,46\): error TS2741: Property 'path' is missing/),
      expect.stringMatching(
        /^mistakes\.ts\(6,7\): error TS2322: Type 'string \| null \| undefined' is not assignable/,
      ),
    ]);

    const ran = await run("node", ["out/sample.js"], { cwd: project.dir, timeoutMs: 60_000 });
    expect(ran.code, ran.output).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({
      scopes: ["chat", "read", "manage"],
      created: "from-openapi-fetch",
      missing: "not_found",
    });
  }, 300_000);
});
