import {
  type ApiKey,
  type ApiKeyAttributes,
  type BudgetPeriod,
  type Database,
  findActiveKey,
  holdTeamMembership,
  insertApiKey,
  updateKeyAttributes,
} from "@llmg/db";
import type { Kysely } from "kysely";
import { audit } from "../audit";
import { generateApiKey } from "../auth/api-key";
import type { Context } from "../context";
import { ApiError, notFound } from "../errors";
import type { Scope } from "../schemas/keys";
import { toApiKeyDto } from "../schemas/users";

/** A key's attributes as the routes take them (snake_case, every field optional). */
export interface KeyAttributesInput {
  team_id?: string | null | undefined;
  scopes?: Scope[] | undefined;
  allowed_models?: string[] | null | undefined;
  expires_at?: Date | null | undefined;
  budget_usd?: string | null | undefined;
  budget_period?: BudgetPeriod | null | undefined;
  rpm?: number | null | undefined;
  tpm?: number | null | undefined;
  max_parallel?: number | null | undefined;
}

type KeyBudget = Pick<ApiKey, "budget_usd" | "budget_period">;

function fieldError(field: string, message: string): ApiError {
  return new ApiError("validation_error", `${field} ${message}`, { details: [{ field, message }] });
}

function touchesBudget(input: KeyAttributesInput): boolean {
  return input.budget_usd !== undefined || input.budget_period !== undefined;
}

/**
 * A budget and its period are one setting: a period means nothing without a budget (a 400, not
 * a value silently kept for later), a budget set without a period is monthly (the period users
 * know from their own budget), and a budget changed without a period keeps the one it had.
 * Clearing the budget clears its period.
 */
function budgetAttributes(input: KeyAttributesInput, current: KeyBudget | undefined): ApiKeyAttributes {
  if (!touchesBudget(input)) return {};
  const budget = input.budget_usd !== undefined ? input.budget_usd : (current?.budget_usd ?? null);
  if (budget === null) {
    if (input.budget_period)
      throw fieldError("budget_period", "needs a budget: give budget_usd with it (the key has none)");
    return { budgetUsd: null, budgetPeriod: null };
  }
  if (input.budget_period === null)
    throw fieldError(
      "budget_period",
      "cannot be null while the key has a budget; set budget_usd to null to remove both",
    );
  return {
    ...(input.budget_usd !== undefined ? { budgetUsd: budget } : {}),
    budgetPeriod: input.budget_period ?? current?.budget_period ?? "month",
  };
}

function toAttributes(input: KeyAttributesInput, now: number, current?: KeyBudget): ApiKeyAttributes {
  if (input.expires_at && input.expires_at.getTime() <= now)
    throw fieldError("expires_at", "must be in the future");
  return {
    ...(input.team_id !== undefined ? { teamId: input.team_id } : {}),
    ...(input.scopes !== undefined ? { scopes: input.scopes } : {}),
    ...(input.allowed_models !== undefined ? { allowedModels: input.allowed_models } : {}),
    ...(input.expires_at !== undefined ? { expiresAt: input.expires_at } : {}),
    ...budgetAttributes(input, current),
    ...(input.rpm !== undefined ? { rateLimitRpm: input.rpm } : {}),
    ...(input.tpm !== undefined ? { rateLimitTpm: input.tpm } : {}),
    ...(input.max_parallel !== undefined ? { maxParallel: input.max_parallel } : {}),
  };
}

/**
 * A key may only name a team its user belongs to. The membership row stays held (shared) until
 * the transaction that writes the key ends, so a removal running at the same moment waits and
 * then detaches the new key too.
 */
async function assertMember(trx: Kysely<Database>, teamId: string | null | undefined, userId: string) {
  if (!teamId) return;
  if (!(await holdTeamMembership(trx, teamId, userId))) {
    throw fieldError("team_id", "must be a team the key's user belongs to");
  }
}

function auditDetails(input: KeyAttributesInput) {
  return {
    ...(input.team_id !== undefined ? { team_id: input.team_id } : {}),
    ...(input.scopes !== undefined ? { scopes: input.scopes } : {}),
    ...(input.allowed_models !== undefined ? { allowed_models: input.allowed_models } : {}),
    ...(input.expires_at !== undefined ? { expires_at: input.expires_at?.toISOString() ?? null } : {}),
    ...(input.budget_usd !== undefined ? { budget_usd: input.budget_usd } : {}),
    ...(input.budget_period !== undefined ? { budget_period: input.budget_period } : {}),
    ...(input.rpm !== undefined ? { rpm: input.rpm } : {}),
    ...(input.tpm !== undefined ? { tpm: input.tpm } : {}),
    ...(input.max_parallel !== undefined ? { max_parallel: input.max_parallel } : {}),
  };
}

/** Creates a key for `userId`; the plaintext is in the answer and nowhere else. */
export async function issueKey(
  ctx: Context,
  userId: string,
  name: string | null,
  input: KeyAttributesInput = {},
) {
  const attributes = toAttributes(input, Date.now());
  const generated = generateApiKey();
  const row = await ctx.services.db.transaction().execute(async (trx) => {
    await assertMember(trx, input.team_id, userId);
    return insertApiKey(trx, {
      userId,
      name,
      prefix: generated.prefix,
      keyHash: generated.hash,
      ...attributes,
    });
  });
  await audit(ctx, {
    userId,
    action: "api_key.create",
    targetType: "api_key",
    targetId: row.id,
    details: { name, prefix: row.prefix, ...auditDetails(input) },
  });
  return { ...toApiKeyDto(row), key: generated.key };
}

/** Changes one of the user's keys; this replica's key cache forgets it so the change applies at once. */
export async function changeKey(
  ctx: Context,
  userId: string,
  keyId: string,
  input: KeyAttributesInput & { name?: string | null | undefined },
) {
  const now = Date.now();
  const row = await ctx.services.db.transaction().execute(async (trx) => {
    // The budget's period may depend on the key's current one, read under the row's lock.
    const current = touchesBudget(input)
      ? await findActiveKey(trx, userId, keyId, { lock: true })
      : undefined;
    if (touchesBudget(input) && !current) return undefined;
    const attributes = toAttributes(input, now, current);
    await assertMember(trx, input.team_id, userId);
    return updateKeyAttributes(trx, userId, keyId, {
      ...attributes,
      ...(input.name !== undefined ? { name: input.name } : {}),
    });
  });
  if (!row) throw notFound("API key");
  ctx.services.auth.forget(row.key_hash);
  await audit(ctx, {
    userId,
    action: "api_key.update",
    targetType: "api_key",
    targetId: row.id,
    details: { ...(input.name !== undefined ? { name: input.name } : {}), ...auditDetails(input) },
  });
  return toApiKeyDto(row);
}
