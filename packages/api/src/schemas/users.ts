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
    created_at: key.created_at.toISOString(),
    last_used_at: key.last_used_at?.toISOString() ?? null,
  };
}
