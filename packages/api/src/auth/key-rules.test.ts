import { describe, expect, it } from "vitest";
import { appRouter } from "../root";
import type { UserPrincipal } from "./authenticator";
import { assertModelAllowed, assertScope, modelAllowed, requiredScope } from "./key-rules";

interface ProcedureDef {
  type: string;
  meta?: { scope?: "chat" | "read" | "manage"; openapi?: { method: string; path: string } };
}

describe("key rules", () => {
  // A new user route lands here on purpose: its scope is whatever the rule gives, and this table
  // makes that a decision someone reads rather than an accident.
  it("every user route needs the scope the table says: reads read, changes manage, chat chat", () => {
    const table: Record<string, string> = {};
    for (const [name, procedure] of Object.entries(appRouter._def.procedures)) {
      // Sign-in, sign-out and who-am-I take no key (session/router.ts): no scope applies.
      if (name.startsWith("admin.") || name.startsWith("session.")) continue;
      const def = (procedure as unknown as { _def: ProcedureDef })._def;
      table[`${def.meta?.openapi?.method} ${def.meta?.openapi?.path}`] = requiredScope(
        def.meta?.scope,
        def.type,
      );
    }
    const byScope = (scope: string) =>
      Object.entries(table)
        .filter(([, s]) => s === scope)
        .map(([route]) => route)
        .sort();
    expect(byScope("chat")).toEqual(["POST /chat/completions"]);
    expect(byScope("manage")).toEqual([
      "DELETE /budget/tags/{tag}",
      "DELETE /credentials/{id}",
      "DELETE /keys/{id}",
      "DELETE /routes/{name}",
      "PATCH /keys/{id}",
      "PATCH /teams/{id}/budget",
      "POST /credentials",
      "POST /credentials/{id}/test",
      "POST /keys",
      "POST /routes",
      "PUT /budget",
      "PUT /budget/tags/{tag}",
      "PUT /credentials/{id}",
      "PUT /routes/{name}",
    ]);
    expect(byScope("read").every((route) => route.startsWith("GET "))).toBe(true);
    expect(byScope("read")).toContain("GET /usage/summary");
  });

  it("matches exact ids and provider wildcards, by catalog id or by the name used", () => {
    expect(modelAllowed(null, "openai", ["gpt-4o"])).toBe(true);
    expect(modelAllowed(["openai/*"], "openai", ["gpt-4o"])).toBe(true);
    expect(modelAllowed(["openai/*"], "anthropic", ["claude"])).toBe(false);
    expect(modelAllowed(["openai/gpt-4o"], "openai", ["gpt-4o-mini"])).toBe(false);
    expect(modelAllowed(["openai/latest"], "openai", ["gpt-4o", "latest"])).toBe(true);
    // A provider's name is not a prefix of another's model id.
    expect(modelAllowed(["openai/gpt"], "openai", ["gpt-4o"])).toBe(false);
  });

  it("refuses with insufficient_scope and model_not_allowed", () => {
    const principal = { scopes: ["read"], allowedModels: ["google/*"] } as unknown as UserPrincipal;
    expect(() => assertScope(principal, "read")).not.toThrow();
    expect(() => assertScope(principal, "chat")).toThrow(
      expect.objectContaining({ error: "insufficient_scope", status: 403 }),
    );
    expect(() => assertModelAllowed(principal, "openai", ["gpt-4o"])).toThrow(
      expect.objectContaining({ error: "model_not_allowed", status: 403 }),
    );
  });
});
