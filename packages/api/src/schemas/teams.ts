import { normalizeDecimal } from "@llmg/core";
import type { Team, TeamMemberWithEmail, TeamRole } from "@llmg/db";
import { z } from "zod";
import { httpUrl, limitUsd, thresholdList } from "./budget";
import { isoDate, jsonBoolean, positiveInt, text } from "./common";

export const teamId = text().min(1).max(100);
const teamName = text().trim().min(1).max(100);
export const teamRole = z.enum(["member", "manager"]);

const webhookDescription =
  "Team alerts will be POSTed here; null removes it. Must be, and resolve to, a public address unless the operator lists the host in LLMG_EGRESS_ALLOW (else 400 egress_denied)";

export const teamSchema = z
  .object({
    id: z.string().meta({ example: "team_4Fq0bX2kLm9PzR7sT1uV" }),
    name: z.string(),
    monthly_budget_usd: z
      .string()
      .nullable()
      .meta({ description: "The team's monthly limit as an exact decimal; null = unlimited" }),
    budget_cap_usd: z.string().nullable().meta({
      description: "Set by the admin: the highest monthly limit a manager may set; null = no cap",
    }),
    thresholds: z.array(z.number().int()).meta({ example: [50, 80, 100] }),
    webhook_url: z.string().nullable(),
    rpm: z.number().int().nullable().meta({ description: "Requests per minute for the team; null = none" }),
    tpm: z.number().int().nullable().meta({ description: "Tokens per minute for the team; null = none" }),
    created_at: isoDate,
    updated_at: isoDate,
  })
  .meta({ id: "Team" });

export const myTeamSchema = teamSchema.extend({ role: teamRole }).meta({ id: "MyTeam" });

const issuedSecret = {
  webhook_secret: z.string().optional().meta({
    description:
      "The team's webhook HMAC-SHA256 signing secret, in this answer only: when a webhook URL is first set or rotate_webhook_secret is true",
  }),
};

/** A team as written by a change, with its freshly issued webhook secret if one was made. */
export const teamChangeSchema = teamSchema.extend(issuedSecret).meta({ id: "TeamChange" });
export const myTeamChangeSchema = myTeamSchema.extend(issuedSecret).meta({ id: "MyTeamChange" });

/** The freshly issued webhook secret goes in this answer only. */
export const withSecret = <T extends object>(dto: T, secret: string | undefined) =>
  secret ? { ...dto, webhook_secret: secret } : dto;

export const teamMemberSchema = z
  .object({
    user_id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: teamRole,
    added_at: isoDate,
  })
  .meta({ id: "TeamMember" });

export const teamDetailSchema = myTeamSchema
  .extend({ members: z.array(teamMemberSchema) })
  .meta({ id: "TeamDetail" });

const rotateWebhookSecret = jsonBoolean.optional().meta({
  description:
    "true: issue a new signing secret for the team's webhook (returned once in this answer); the old one stops working",
});

const atLeastOne = <T extends Record<string, unknown>>(v: T) =>
  Object.entries(v).some(([k, value]) => k !== "id" && value !== undefined);
const atLeastOneMessage = { message: "give at least one field to change", path: ["(body)"] };

const adminFields = {
  monthly_budget_usd: limitUsd
    .nullable()
    .optional()
    .meta({ description: "Monthly limit in USD (null = unlimited); at most budget_cap_usd" }),
  budget_cap_usd: limitUsd.nullable().optional().meta({
    description:
      "The highest monthly limit a manager may set (null = no cap). A cap below the current limit lowers the limit to the cap.",
  }),
  thresholds: thresholdList
    .optional()
    .meta({ description: "Alert thresholds in percent of the limit (default 50, 80, 100)" }),
  webhook_url: httpUrl.nullable().optional().meta({ description: webhookDescription }),
  rpm: positiveInt.nullable().optional(),
  tpm: positiveInt.nullable().optional(),
};

export const createTeamInput = z.object({ name: teamName, ...adminFields });

export const updateTeamInput = z
  .object({
    id: teamId,
    name: teamName.optional(),
    ...adminFields,
    rotate_webhook_secret: rotateWebhookSecret,
  })
  .refine(atLeastOne, atLeastOneMessage);

export const addMemberInput = z.object({
  id: teamId,
  user_id: text().min(1).max(100),
  role: teamRole.default("member").meta({ description: "manager may change the team's budget settings" }),
});

export const managerBudgetInput = z
  .object({
    id: teamId,
    monthly_budget_usd: limitUsd.nullable().optional().meta({
      description:
        "Monthly limit in USD; at most the admin's budget_cap_usd (and not unlimited while a cap is set)",
    }),
    thresholds: thresholdList.optional(),
    webhook_url: httpUrl.nullable().optional().meta({ description: webhookDescription }),
    rotate_webhook_secret: rotateWebhookSecret,
  })
  .refine(atLeastOne, atLeastOneMessage);

const money = (v: string | null) => (v === null ? null : normalizeDecimal(v));

export function toTeamDto(team: Team): z.infer<typeof teamSchema> {
  return {
    id: team.id,
    name: team.name,
    monthly_budget_usd: money(team.monthly_budget_usd),
    budget_cap_usd: money(team.budget_cap_usd),
    thresholds: team.thresholds,
    webhook_url: team.webhook_url,
    rpm: team.rate_limit_rpm,
    tpm: team.rate_limit_tpm,
    created_at: team.created_at.toISOString(),
    updated_at: team.updated_at.toISOString(),
  };
}

export function toMyTeamDto(team: Team, role: TeamRole): z.infer<typeof myTeamSchema> {
  return { ...toTeamDto(team), role };
}

export function toTeamMemberDto(m: TeamMemberWithEmail): z.infer<typeof teamMemberSchema> {
  return {
    user_id: m.user_id,
    email: m.email,
    name: m.name,
    role: m.role,
    added_at: m.created_at.toISOString(),
  };
}
