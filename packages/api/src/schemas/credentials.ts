import { PROVIDER_IDS } from "@llmg/core";
import type { ProviderCredential } from "@llmg/db";
import { z } from "zod";
import { isoDate, jsonBoolean, text } from "./common";

const baseUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2000)
  .meta({
    example: "https://api.openai.com/v1",
    description:
      "Where calls with this key go instead of the provider's URL. It must be, and resolve to, a public address unless the operator lists the host in LLMG_EGRESS_ALLOW (else 400 egress_denied); changing it needs api_key in the same request; null goes back to the default.",
  });

const weight = z.number().int().min(1).max(1000).meta({
  example: 3,
  description:
    "Share of this provider's calls among your credentials of the same priority: weight 3 gets three times the calls of weight 1 (default 1).",
});

const priority = z.number().int().min(-1000).max(1000).meta({
  description:
    "Calls go to the highest priority that has a credential whose circuit is not open; lower ones are kept for when all of those are open (default 0).",
});

export const createCredentialInput = z.object({
  provider: z.enum(PROVIDER_IDS),
  name: text().trim().min(1).max(100).meta({ example: "production" }),
  api_key: text().trim().min(8).max(4096).meta({ example: "sk-proj-..." }),
  base_url: baseUrl.optional(),
  is_default: jsonBoolean.optional(),
  priority: priority.optional(),
  weight: weight.optional(),
});

export const updateCredentialInput = z.object({
  id: text().min(1).max(100),
  name: text().trim().min(1).max(100).optional(),
  api_key: text().trim().min(8).max(4096).optional(),
  base_url: baseUrl.nullable().optional(),
  is_default: jsonBoolean.optional(),
  priority: priority.optional(),
  weight: weight.optional(),
});

export const credentialHealthSchema = z
  .object({
    state: z.enum(["closed", "open", "half_open"]).meta({
      description:
        "closed: in use. open: skipped after consecutive provider failures until retry_at. half_open: the cool-down is over; the next call to it is a probe that closes (success) or re-opens (failure) the circuit.",
    }),
    consecutive_failures: z.number().int(),
    opened_at: isoDate.optional(),
    retry_at: isoDate.optional(),
  })
  .nullable()
  .meta({
    id: "CredentialHealth",
    description: "The credential's circuit breaker; null when the shared state could not be read.",
  });

export const credentialSchema = z
  .object({
    id: z.string(),
    provider: z.enum(PROVIDER_IDS),
    name: z.string(),
    hint: z.string().meta({ example: "sk-...abcd", description: "The key itself is never returned" }),
    base_url: z.string().nullable(),
    is_default: z.boolean(),
    priority: z.number().int(),
    weight: z.number().int(),
    health: credentialHealthSchema,
    last_test: z
      .object({
        ok: z.boolean(),
        at: isoDate,
        latency_ms: z.number().int().nullable(),
        status: z.number().int().nullable(),
        error: z.string().nullable(),
      })
      .nullable(),
    created_at: isoDate,
    updated_at: isoDate,
  })
  .meta({ id: "Credential" });

export const credentialTestSchema = z.object({
  ok: z.boolean(),
  latency_ms: z.number().int().meta({ example: 412 }),
  status: z.number().int().optional(),
  error: z.string().optional(),
});

export function toCredentialDto(
  row: ProviderCredential,
  health: z.infer<typeof credentialHealthSchema> = null,
): z.infer<typeof credentialSchema> {
  return {
    id: row.id,
    provider: row.provider as z.infer<typeof credentialSchema>["provider"],
    name: row.name,
    hint: row.hint,
    base_url: row.base_url,
    is_default: row.is_default,
    priority: row.priority,
    weight: row.weight,
    health,
    last_test:
      row.last_test_ok === null || row.last_test_at === null
        ? null
        : {
            ok: row.last_test_ok,
            at: row.last_test_at.toISOString(),
            latency_ms: row.last_test_latency_ms,
            status: row.last_test_status,
            error: row.last_test_error,
          },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
