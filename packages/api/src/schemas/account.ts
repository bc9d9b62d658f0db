import type { ActivityLogEntry } from "@llmg/db";
import { z } from "zod";
import { isoDate } from "./common";

export const accountSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    created_at: isoDate,
    limits: z.object({
      monthly_budget_usd: z.number().nullable().meta({ description: "USD, for display; null = unlimited" }),
      monthly_budget_usd_exact: z.string().nullable().meta({ description: "USD, exact decimal string" }),
      rate_limit_rpm: z.number().int().nullable().meta({ description: "Requests per minute; null = none" }),
      rate_limit_tpm: z.number().int().nullable().meta({ description: "Tokens per minute; null = none" }),
    }),
    keys_count: z.number().int().meta({ description: "API keys not revoked" }),
    credentials_count: z.number().int().meta({ description: "Stored provider credentials" }),
    this_month: z.object({
      period: z.string().meta({ description: "Calendar month in UTC", example: "2026-11" }),
      from: isoDate,
      to: isoDate,
      requests: z.number().int(),
      cost_usd: z.number().meta({ description: "USD, for display" }),
      cost_usd_exact: z.string().meta({ description: "USD, exact decimal string" }),
    }),
  })
  .meta({ id: "Account" });

export const activityEntrySchema = z
  .object({
    id: z.string(),
    action: z.string().meta({ example: "api_key.create" }),
    actor: z.string().meta({ description: "admin, system or the acting user's id" }),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    created_at: isoDate,
  })
  .meta({ id: "ActivityEntry" });

export function toActivityEntry(entry: ActivityLogEntry): z.infer<typeof activityEntrySchema> {
  return {
    id: String(entry.id),
    action: entry.action,
    actor: entry.actor,
    target_type: entry.target_type,
    target_id: entry.target_id,
    ip: entry.ip,
    user_agent: entry.user_agent,
    details: entry.details,
    created_at: entry.created_at.toISOString(),
  };
}
