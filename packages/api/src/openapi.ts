import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";
import { errorEnvelopeSchema } from "./envelope";
import { appRouter } from "./root";
import { addUsageExportPath } from "./usage-export/openapi-path";

const ERROR_STATUSES: Record<string, string> = {
  "400": "Invalid input (validation_error); `details` lists each offending field",
  "401": "Missing, unknown or revoked API key (unauthorized), or a key past its expires_at (key_expired)",
  "403":
    "The key may not call this endpoint: forbidden, account_disabled, insufficient_scope (the key lacks the scope the route needs: chat, read or manage) or, on chat, model_not_allowed (outside the key's allowed_models)",
  "404": "Not found (another user's object answers 404 too)",
  "500": "Internal error (never carries a stack or a secret)",
};

/** One example body per status, so a generated client's docs show what a failure looks like. */
const ERROR_EXAMPLES: Record<string, { error: string; message: string }> = {
  "400": {
    error: "validation_error",
    message: "Invalid name: Too big: expected string to have <=100 characters",
  },
  "401": { error: "unauthorized", message: "Invalid API key" },
  "403": { error: "insufficient_scope", message: "This key lacks the manage scope" },
  "404": { error: "not_found", message: "Key not found" },
  "500": { error: "internal_error", message: "Internal error" },
};

/** Every tag an operation carries, with what it groups (the generated docs' sections). */
const TAGS: Record<string, string> = {
  account: "The calling user's account, limits, month's spend and activity log",
  admin: "Users, their keys, teams and everyone's spend: the admin key only",
  teams: "Teams: members, shared budgets and their spend",
  usage: "Analytics: summaries, charts, request history and grouped spend",
  budget: "Budgets of the user, of keys and of tags, and their alerts",
  chat: "Chat completions through the gateway, priced exactly",
  credentials: "Provider credentials (API keys for OpenAI, Anthropic, …), encrypted at rest",
  keys: "The user's llmg API keys: scopes, models, expiry, budgets and rate limits",
  catalog: "Providers and models the gateway knows, with capabilities and prices",
  pricing: "Price estimates and comparisons from the price table",
  routes: "Model routes: a name that resolves to provider models with fallbacks",
  session: "Browser sign-in with an API key: the session cookie and its CSRF token",
};

/**
 * trpc-to-openapi describes errors with its own body; the server answers with our envelope,
 * so the document is rewritten to say so.
 */
export function createOpenApiDocument(options: { serverUrl?: string; version?: string } = {}): OpenAPIObject {
  const doc = generateOpenApiDocument(appRouter, {
    title: "llmg API",
    description:
      "Self-hosted LLM gateway with exact cost tracking. Every endpoint takes `Authorization: Bearer llmg_...`; a browser may instead sign in (`POST /session`) and send the `llmg_session` cookie, with `x-llmg-csrf` on state-changing calls.",
    version: options.version ?? "0.1.0",
    baseUrl: options.serverUrl ?? "/api",
    securitySchemes: {
      bearerAuth: { type: "http", scheme: "bearer", description: "An llmg API key" },
      sessionCookie: {
        type: "apiKey",
        in: "cookie",
        name: "llmg_session",
        description:
          "A browser session from POST /session, standing for its key on every endpoint when no Authorization header is sent; state-changing calls also need the x-llmg-csrf header",
      },
    },
  });
  // Who-am-I and sign-out read the cookie itself (trpc-to-openapi only knows "protected or not");
  // signing in takes the key in its body, so it needs no credentials at all.
  const session = doc.paths?.["/session"] as Record<string, { security?: unknown }> | undefined;
  for (const method of ["get", "delete"]) {
    const operation = session?.[method];
    if (operation) operation.security = [{ sessionCookie: [] }];
  }
  if (session?.post) session.post.security = [];
  doc.tags = Object.entries(TAGS).map(([name, description]) => ({ name, description }));
  doc.components ??= {};
  doc.components.schemas ??= {};
  // trpc-to-openapi's own error bodies: every error response below names our envelope instead.
  for (const name of Object.keys(doc.components.schemas)) {
    if (name.startsWith("error.")) delete doc.components.schemas[name];
  }
  const { $schema: _, ...envelope } = z.toJSONSchema(errorEnvelopeSchema, { io: "output" });
  doc.components.schemas.ErrorEnvelope = envelope as never;
  addUsageExportPath(doc);
  for (const pathItem of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(
      pathItem as Record<string, { responses?: Record<string, unknown> }>,
    )) {
      if (!operation || typeof operation !== "object" || !operation.responses) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status.startsWith("2")) continue;
        const example = ERROR_EXAMPLES[status];
        operation.responses[status] = {
          description:
            ERROR_STATUSES[status] ?? (response as { description?: string }).description ?? "Error",
          content: {
            "application/json": {
              schema: { $ref: "#/components/schemas/ErrorEnvelope" },
              ...(example ? { example: { success: false, ...example, request_id: "req_01J9ZQ4XK2" } } : {}),
            },
          },
        };
      }
    }
  }
  return doc;
}
