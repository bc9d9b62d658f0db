import { isProviderId } from "@llmg/core";
import { z } from "zod";
import { limitUsd } from "./budget";
import { isStorableText, positiveInt, text } from "./common";

export const KEY_SCOPES = ["chat", "read", "manage"] as const;
export type Scope = (typeof KEY_SCOPES)[number];

/** At most this many entries in a key's model allowlist: matched per call, so kept short. */
export const MAX_ALLOWED_MODELS = 100;

/** "provider/model" (exact) or "provider/*" (every model of the provider). */
const modelPattern = z
  .string()
  .trim()
  .min(3)
  .max(200)
  .refine((v) => {
    const slash = v.indexOf("/");
    if (slash <= 0 || slash === v.length - 1) return false;
    const model = v.slice(slash + 1);
    return (
      isProviderId(v.slice(0, slash)) && isStorableText(model) && (model === "*" || !model.includes("*"))
    );
  }, "must be provider/model or provider/* with a known provider")
  .meta({ example: "openai/gpt-4o-mini" });

const scopes = z
  .array(z.enum(KEY_SCOPES))
  .min(1)
  .max(KEY_SCOPES.length * 4)
  .transform((list) => KEY_SCOPES.filter((s) => list.includes(s)))
  .meta({
    description:
      "What the key may do: chat (call models), read (GET routes), manage (keys, credentials, budget settings and every other change). Default: all three",
    example: ["chat"],
  });

const allowedModels = z
  .array(modelPattern)
  .min(1)
  .max(MAX_ALLOWED_MODELS)
  .transform((list) => [...new Set(list)])
  .nullable()
  .meta({
    description: `The models the key may call: exact "provider/model" ids or "provider/*", at most ${MAX_ALLOWED_MODELS}; null = every model. Others are refused with 403 model_not_allowed`,
  });

// Years beyond 9999 cannot be written as an ISO date; the upper bound keeps them out.
const expiresAt = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v))
  .refine((d) => d.getTime() < Date.UTC(10000, 0, 1), "must be before the year 10000")
  .nullable()
  .meta({
    description:
      "From this instant the key is refused with 401 key_expired; null = never. ISO 8601 with a time zone",
    example: "2027-01-01T00:00:00Z",
  });

const teamId = text().min(1).max(100).nullable().meta({
  description: "A team the key's user belongs to: the key's calls count for the team too; null = none",
});

export const BUDGET_PERIODS = ["day", "month", "total"] as const;

/**
 * Calls of one key in flight at once. A cap is for a runaway agent or a shared CI key; past a
 * few thousand it caps nothing the server could hold anyway.
 */
export const MAX_PARALLEL = 10_000;

const budgetUsd = limitUsd.nullable().meta({
  description:
    "The key's own budget in USD per budget_period (a number or a decimal string, at most 10 decimals); calls past it are refused with 402 budget_exceeded (details.scope key); null = none (and clears budget_period)",
  example: "25",
});

const budgetPeriod = z.enum(BUDGET_PERIODS).nullable().meta({
  description:
    "When the key's budget starts afresh: each UTC day, each UTC month, or never (total: the key's whole life). Default month when a budget is set; only with a budget (else 400)",
});

const rpm = positiveInt
  .nullable()
  .meta({ description: "The key's requests per minute (the user's own limit applies too); null = none" });
const tpm = positiveInt
  .nullable()
  .meta({ description: "The key's tokens per minute (the user's own limit applies too); null = none" });
const maxParallel = z
  .number()
  .int()
  .min(1)
  .max(MAX_PARALLEL)
  .nullable()
  .meta({
    description: `Calls of this key in flight at once, 1 to ${MAX_PARALLEL}; more are refused with 429 concurrency_limit_exceeded; null = no cap`,
  });

/** What a key carries, on creation and change; every field optional. */
export const keyAttributesInput = {
  team_id: teamId.optional(),
  scopes: scopes.optional(),
  allowed_models: allowedModels.optional(),
  expires_at: expiresAt.optional(),
  budget_usd: budgetUsd.optional(),
  budget_period: budgetPeriod.optional(),
  rpm: rpm.optional(),
  tpm: tpm.optional(),
  max_parallel: maxParallel.optional(),
};

export const keyName = text().trim().min(1).max(200);
