import { normalizeDecimal } from "@llmg/core";
import type { ApiKey, User } from "@llmg/db";
import { z } from "zod";
import { isoDate } from "./common";

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    monthly_budget_usd: z.string().nullable(),
    rate_limit_rpm: z.number().int().nullable(),
    rate_limit_tpm: z.number().int().nullable(),
    disabled: z
      .boolean()
      .meta({ description: "A disabled user's keys are refused with 403 account_disabled" }),
    budget_cap_usd: z
      .string()
      .nullable()
      .meta({ description: "The highest monthly limit the user may set themselves; null = no cap" }),
    created_at: isoDate,
  })
  .meta({ id: "User" });

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    prefix: z.string().meta({ example: "llmg_Ab3dE9" }),
    team_id: z.string().nullable().meta({ description: "The team the key's calls count for; null = none" }),
    scopes: z.array(z.enum(["chat", "read", "manage"])),
    allowed_models: z.array(z.string()).nullable().meta({
      description: 'Models the key may call ("provider/model" or "provider/*"); null = every model',
    }),
    expires_at: isoDate
      .nullable()
      .meta({ description: "Refused with 401 key_expired from then on; null = never" }),
    budget_usd: z.string().nullable().meta({
      description: "The key's own budget per budget_period, exact decimal; null = none",
      example: "25",
    }),
    budget_period: z
      .enum(["day", "month", "total"])
      .nullable()
      .meta({ description: "UTC day, UTC month or the key's whole life; null while no budget is set" }),
    rpm: z.number().int().nullable().meta({ description: "The key's requests per minute; null = none" }),
    tpm: z.number().int().nullable().meta({ description: "The key's tokens per minute; null = none" }),
    max_parallel: z.number().int().nullable().meta({ description: "Calls in flight at once; null = no cap" }),
    created_at: isoDate,
    last_used_at: isoDate.nullable(),
  })
  .meta({ id: "ApiKey" });

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().meta({ description: "The full key. Shown only in this answer." }) })
  .meta({ id: "CreatedApiKey" });

export function toUserDto(user: User): z.infer<typeof userSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    monthly_budget_usd: user.monthly_budget_usd,
    rate_limit_rpm: user.rate_limit_rpm,
    rate_limit_tpm: user.rate_limit_tpm,
    disabled: user.disabled,
    budget_cap_usd: user.budget_cap_usd === null ? null : normalizeDecimal(user.budget_cap_usd),
    created_at: user.created_at.toISOString(),
  };
}

export function toApiKeyDto(key: ApiKey): z.infer<typeof apiKeySchema> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    team_id: key.team_id,
    scopes: key.scopes,
    allowed_models: key.allowed_models,
    expires_at: key.expires_at?.toISOString() ?? null,
    budget_usd: key.budget_usd === null ? null : normalizeDecimal(key.budget_usd),
    // As the authenticator reads it: a budget without a period is a monthly one.
    budget_period: key.budget_usd === null ? null : (key.budget_period ?? "month"),
    rpm: key.rate_limit_rpm,
    tpm: key.rate_limit_tpm,
    max_parallel: key.max_parallel,
    created_at: key.created_at.toISOString(),
    last_used_at: key.last_used_at?.toISOString() ?? null,
  };
}
