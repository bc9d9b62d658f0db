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
  // Who-am-I and sign-out read the cookie itself (trpc-to-openapi only knows "protected or not").
  const session = doc.paths?.["/session"] as Record<string, { security?: unknown }> | undefined;
  for (const method of ["get", "delete"]) {
    const operation = session?.[method];
    if (operation) operation.security = [{ sessionCookie: [] }];
  }
  doc.components ??= {};
  doc.components.schemas ??= {};
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
        operation.responses[status] = {
          description:
            ERROR_STATUSES[status] ?? (response as { description?: string }).description ?? "Error",
          content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
        };
      }
    }
  }
  return doc;
}
