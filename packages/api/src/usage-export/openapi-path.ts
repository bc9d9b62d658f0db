import type { OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";
import { exportInput } from "./export-input";

/**
 * The export streams its body, which trpc-to-openapi cannot (it answers in one piece), so the
 * server serves it outside the router and the document gains its path here, from the same schema
 * that checks the query.
 */
export function addUsageExportPath(doc: OpenAPIObject): void {
  const schema = z.toJSONSchema(exportInput, { io: "input" }) as {
    properties: Record<string, { description?: string; example?: unknown }>;
  };
  const parameters = Object.entries(schema.properties).map(([name, property]) => {
    const { description, example, ...rest } = property;
    return {
      name,
      in: "query",
      required: false,
      description,
      schema: rest,
      ...(example !== undefined ? { example } : {}),
    };
  });
  const envelope = { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } };
  doc.paths ??= {};
  doc.paths["/usage/export"] = {
    get: {
      operationId: "usage-export",
      tags: ["usage"],
      summary: "Export requests or daily aggregates as CSV or JSON Lines",
      description:
        "Streams every request of the range (oldest first; one line each: tokens by kind, exact costs, latency, status, tags), or with group_by the aggregates per day, provider and/or model. Any range up to ten years; the body is written as it is read, so memory stays flat however many rows. Default range: this month so far. Needs the read scope.",
      security: [{ bearerAuth: [] }, { sessionCookie: [] }],
      parameters,
      responses: {
        "200": {
          description: "The export, as an attachment (content-disposition names the file)",
          content: {
            "text/csv": {
              schema: { type: "string" },
              example:
                "day,provider,model,requests,errors,prompt_tokens,completion_tokens,cached_tokens,cache_write_tokens,reasoning_tokens,cost_usd\r\n2026-11-03,openai,gpt-4o-mini,1204,3,902113,210877,40960,0,0,0.26183655\r\n",
            },
            "application/x-ndjson": {
              schema: { type: "string" },
              example:
                '{"day":"2026-11-03","provider":"openai","model":"gpt-4o-mini","requests":1204,"errors":3,"prompt_tokens":902113,"completion_tokens":210877,"cached_tokens":40960,"cache_write_tokens":0,"reasoning_tokens":0,"cost_usd":"0.26183655"}\n',
            },
          },
        },
        "400": {
          description: "Invalid input (validation_error); `details` names the field",
          content: envelope,
        },
        "401": { description: "Missing, unknown or revoked API key", content: envelope },
        "403": { description: "The admin key, or a key without the read scope", content: envelope },
      },
    },
  } as never;
}
