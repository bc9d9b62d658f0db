import SwaggerParser from "@apidevtools/swagger-parser";
import { createLlmgClient, llmgErrorCode } from "@llmg/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

describe("OpenAPI document and typed client", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("serves a valid OpenAPI 3 document with bearer auth and our error envelope", async () => {
    const doc = (await call(`${t.url}/openapi.json`)).body;
    // validate() dereferences in place, so keep the original for the checks below.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    for (const path of ["/admin/users", "/admin/users/{id}/keys", "/keys", "/keys/{id}"]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    // Budget levels: a key's own budget and limits, tag budgets, a team's budget for its members.
    expect(Object.keys(doc.paths["/keys/{id}"]).sort()).toEqual(["delete", "get", "patch"]);
    // The admin's reads: one user, their keys, a team's members, everyone's spend.
    expect(Object.keys(doc.paths["/admin/users/{id}"]).sort()).toEqual(["get", "patch"]);
    expect(Object.keys(doc.paths["/admin/users/{id}/keys"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/admin/teams/{id}/members"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/admin/usage/users"])).toEqual(["get"]);
    expect(
      doc.paths["/admin/usage/users"].get.parameters.map((p: { name: string }) => p.name).sort(),
    ).toEqual(["from", "limit", "to"]);
    expect(doc.components.schemas.SpendByUser).toBeDefined();
    expect(Object.keys(doc.paths["/budget/tags"])).toEqual(["get"]);
    expect(Object.keys(doc.paths["/budget/tags/{tag}"]).sort()).toEqual(["delete", "get", "put"]);
    expect(Object.keys(doc.paths["/teams/{id}/budget"]).sort()).toEqual(["get", "patch"]);
    const keyFields = Object.keys(doc.components.schemas.ApiKey.properties);
    for (const field of ["budget_usd", "budget_period", "rpm", "tpm", "max_parallel"]) {
      expect(keyFields).toContain(field);
      expect(
        Object.keys(doc.paths["/keys"].post.requestBody.content["application/json"].schema.properties),
      ).toContain(field);
    }
    expect(doc.paths["/budget/tags/{tag}"].put.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "tag", in: "path", required: true })]),
    );
    expect(doc.components.schemas.TagBudget).toBeDefined();
    expect(doc.components.schemas.TeamBudget).toBeDefined();
    const post = doc.paths["/admin/users"].post;
    expect(post.summary).toBe("Create a user");
    // Either a Bearer key or a browser session (see test/session.test.ts).
    expect(post.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(post.responses["400"].content["application/json"].schema.$ref).toBe(
      "#/components/schemas/ErrorEnvelope",
    );
  });

  it("calls the gateway through createLlmgClient with full types", async () => {
    const admin = createLlmgClient({ baseUrl: t.url, apiKey: t.adminKey });
    const created = await admin.admin.createUser.mutate({ email: "typed@example.com" });
    expect(created.data.email).toBe("typed@example.com");
    const key = await admin.admin.createUserKey.mutate({ id: created.data.id, name: "typed" });

    const user = createLlmgClient({ baseUrl: `${t.url}/`, apiKey: key.data.key });
    const keys = await user.keys.list.query({});
    expect(keys.data.map((k) => k.name)).toEqual(["typed"]);

    // The admin reads the same key list, typed the same.
    const listed = await admin.admin.listUserKeys.query({ id: created.data.id });
    expect(listed.data).toEqual(keys.data);
    const spend = await admin.admin.usageByUser.query({ limit: 5 });
    expect(spend.data.users).toEqual([]);

    await user.keys.delete.mutate({ id: key.data.id });
    const failure = await user.keys.list.query({}).catch((e: unknown) => e);
    expect(llmgErrorCode(failure)).toBe("unauthorized");
  });

  it("reports the envelope code through tRPC too", async () => {
    const { key } = await createUserWithKey(t);
    const client = createLlmgClient({ baseUrl: t.url, apiKey: key });
    const failure = await client.keys.delete.mutate({ id: "key_nope" }).catch((e: unknown) => e);
    expect(llmgErrorCode(failure)).toBe("not_found");
    const forbidden = await client.admin.listUsers.query({}).catch((e: unknown) => e);
    expect(llmgErrorCode(forbidden)).toBe("forbidden");
  });
});
