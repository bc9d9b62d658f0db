import { normalizeDecimal } from "@llmg/core";
import { createTeam, findTeamMember, lockTeam, type Team, type TeamFields, updateTeam } from "@llmg/db";
import type { z } from "zod";
import { audit } from "../audit";
import type { Context } from "../context";
import { assertEgressAllowed } from "../egress";
import { ApiError, notFound } from "../errors";
import { exceedsCap } from "../limits/cap";
import type { createTeamInput, managerBudgetInput, updateTeamInput } from "../schemas/teams";
import { assertRotatable, settleTeamWebhookSecret } from "./team-webhook";

type CreateInput = z.infer<typeof createTeamInput>;
type UpdateInput = z.infer<typeof updateTeamInput>;
type ManagerInput = z.infer<typeof managerBudgetInput>;

/** A team as written, and the webhook signing secret issued by this change (shown once). */
export interface TeamChange {
  team: Team;
  webhookSecret?: string;
}

const money = (v: string | null) => (v === null ? null : normalizeDecimal(v));

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
}

const nameTaken = (name: string) => new ApiError("conflict", `A team named ${name} already exists`);

function aboveCap(field: string, cap: string | null): ApiError {
  const message = `must be at most ${cap} (budget_cap_usd), and not unlimited while the cap is set`;
  return new ApiError("validation_error", `${field} ${message}`, { details: [{ field, message }] });
}

function fields(input: Omit<Partial<CreateInput>, "id">): TeamFields {
  return {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.monthly_budget_usd !== undefined ? { monthlyBudgetUsd: input.monthly_budget_usd } : {}),
    ...(input.budget_cap_usd !== undefined ? { budgetCapUsd: input.budget_cap_usd } : {}),
    ...(input.thresholds !== undefined ? { thresholds: input.thresholds } : {}),
    ...(input.webhook_url !== undefined ? { webhookUrl: input.webhook_url } : {}),
    ...(input.rpm !== undefined ? { rateLimitRpm: input.rpm } : {}),
    ...(input.tpm !== undefined ? { rateLimitTpm: input.tpm } : {}),
  };
}

/** What changed, field by field, for the activity log (money compared as decimals). */
function changes(before: Team, after: Team): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  const pairs: [string, unknown, unknown][] = [
    ["name", before.name, after.name],
    ["monthly_budget_usd", money(before.monthly_budget_usd), money(after.monthly_budget_usd)],
    ["budget_cap_usd", money(before.budget_cap_usd), money(after.budget_cap_usd)],
    ["thresholds", before.thresholds, after.thresholds],
    ["webhook_url", before.webhook_url, after.webhook_url],
    ["rpm", before.rate_limit_rpm, after.rate_limit_rpm],
    ["tpm", before.rate_limit_tpm, after.rate_limit_tpm],
  ];
  for (const [field, from, to] of pairs) {
    if (JSON.stringify(from) !== JSON.stringify(to)) out[field] = { from, to };
  }
  return out;
}

/**
 * The admin creates a team. With a cap and no limit the limit starts at the cap: unlimited is
 * above any cap, and the cap is the admin's word on what the team may spend.
 */
export async function createTeamAsAdmin(ctx: Context, input: CreateInput): Promise<TeamChange> {
  if (input.webhook_url) await assertEgressAllowed(ctx.services.egress, input.webhook_url, "webhook_url");
  const cap = input.budget_cap_usd ?? null;
  let limit = input.monthly_budget_usd ?? null;
  if (input.monthly_budget_usd !== undefined && exceedsCap(limit, cap))
    throw aboveCap("monthly_budget_usd", cap);
  if (exceedsCap(limit, cap)) limit = cap;
  const { team, webhookSecret } = await ctx.services.db
    .transaction()
    .execute(async (trx) => {
      const team = await createTeam(trx, { ...fields(input), name: input.name, monthlyBudgetUsd: limit });
      return { team, webhookSecret: await settleTeamWebhookSecret(ctx, trx, team, false) };
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? nameTaken(input.name) : error;
    });
  await audit(ctx, {
    userId: null,
    action: "team.create",
    targetType: "team",
    targetId: team.id,
    details: {
      name: team.name,
      monthly_budget_usd: money(team.monthly_budget_usd),
      budget_cap_usd: cap,
      ...(webhookSecret ? { webhook_secret_issued: true } : {}),
    },
  });
  return { team, ...(webhookSecret ? { webhookSecret } : {}) };
}

/** The admin changes a team; a cap below the current limit lowers the limit to the cap. */
export async function updateTeamAsAdmin(ctx: Context, input: UpdateInput): Promise<TeamChange> {
  const { id, rotate_webhook_secret: rotate, ...patch } = input;
  if (patch.webhook_url) await assertEgressAllowed(ctx.services.egress, patch.webhook_url, "webhook_url");
  const { before, after, clamped, webhookSecret } = await ctx.services.db
    .transaction()
    .execute(async (trx) => {
      const before = await lockTeam(trx, id);
      if (!before) throw notFound("Team");
      assertRotatable(patch.webhook_url === undefined ? before.webhook_url : patch.webhook_url, rotate);
      const cap = patch.budget_cap_usd !== undefined ? patch.budget_cap_usd : money(before.budget_cap_usd);
      let limit = patch.monthly_budget_usd;
      let clamped = false;
      if (limit !== undefined && exceedsCap(limit, cap)) throw aboveCap("monthly_budget_usd", cap);
      if (limit === undefined && exceedsCap(money(before.monthly_budget_usd), cap)) {
        limit = cap;
        clamped = true;
      }
      const after = await updateTeam(trx, id, {
        ...fields(patch),
        ...(limit !== undefined ? { monthlyBudgetUsd: limit } : {}),
      });
      if (!after) throw notFound("Team");
      return {
        before,
        after,
        clamped,
        webhookSecret: await settleTeamWebhookSecret(ctx, trx, after, rotate),
      };
    })
    .catch((error: unknown) => {
      throw isUniqueViolation(error) ? nameTaken(patch.name ?? "") : error;
    });
  const details: Record<string, unknown> = changes(before, after);
  if (clamped) details.monthly_budget_clamped_to_cap = true;
  if (webhookSecret) details.webhook_secret_issued = true;
  await audit(ctx, { userId: null, action: "team.update", targetType: "team", targetId: id, details });
  return { team: after, ...(webhookSecret ? { webhookSecret } : {}) };
}

/**
 * A manager changes the team's budget settings within the admin's cap. Not a member: 404, as
 * for a team that does not exist (a team's existence is not told to outsiders); a member who is
 * not a manager: 403.
 */
export async function updateTeamBudgetAsManager(
  ctx: Context,
  userId: string,
  input: ManagerInput,
): Promise<TeamChange> {
  const { id, rotate_webhook_secret: rotate, ...patch } = input;
  const member = await findTeamMember(ctx.services.db, id, userId);
  if (!member) throw notFound("Team");
  if (member.role !== "manager") {
    throw new ApiError("forbidden", "Only a manager of this team may change its budget settings");
  }
  if (patch.webhook_url) await assertEgressAllowed(ctx.services.egress, patch.webhook_url, "webhook_url");
  const { before, after, webhookSecret } = await ctx.services.db.transaction().execute(async (trx) => {
    const before = await lockTeam(trx, id);
    if (!before) throw notFound("Team");
    assertRotatable(patch.webhook_url === undefined ? before.webhook_url : patch.webhook_url, rotate);
    const cap = money(before.budget_cap_usd);
    if (patch.monthly_budget_usd !== undefined && exceedsCap(patch.monthly_budget_usd, cap)) {
      throw aboveCap("monthly_budget_usd", cap);
    }
    const after = await updateTeam(trx, id, fields(patch));
    if (!after) throw notFound("Team");
    return { before, after, webhookSecret: await settleTeamWebhookSecret(ctx, trx, after, rotate) };
  });
  await audit(ctx, {
    userId,
    action: "team.budget.update",
    targetType: "team",
    targetId: id,
    details: { ...changes(before, after), ...(webhookSecret ? { webhook_secret_issued: true } : {}) },
  });
  return { team: after, ...(webhookSecret ? { webhookSecret } : {}) };
}
