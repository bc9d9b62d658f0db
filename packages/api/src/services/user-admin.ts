import { normalizeDecimal } from "@llmg/core";
import { findUserById, lockUser, setMonthlyLimit, type User, updateUserAdminFields } from "@llmg/db";
import { audit } from "../audit";
import type { Context } from "../context";
import { ApiError, notFound } from "../errors";
import { exceedsCap } from "../limits/cap";

export interface UserPatchInput {
  name?: string | null | undefined;
  disabled?: boolean | undefined;
  budget_cap_usd?: string | null | undefined;
  monthly_budget_usd?: string | null | undefined;
  rate_limit_rpm?: number | null | undefined;
  rate_limit_tpm?: number | null | undefined;
}

const FIELDS = [
  "name",
  "disabled",
  "budget_cap_usd",
  "monthly_budget_usd",
  "rate_limit_rpm",
  "rate_limit_tpm",
] as const;

const money = (v: string | null) => (v === null ? null : normalizeDecimal(v));

/**
 * An admin's change to a user. The monthly limit is written as PUT /api/budget writes it
 * (setMonthlyLimit, whose trigger keeps the limit's history) and both end with the same cache
 * invalidation, so the limiter applies the change at once here and within the settings TTL on
 * other replicas. A cap below the current limit lowers the limit to the cap: the cap is the
 * admin's word on what the user may spend, and a limit above it would let them spend more.
 */
export async function updateUserAccount(ctx: Context, userId: string, input: UserPatchInput): Promise<User> {
  const { db, auth, limits } = ctx.services;
  const { before, after, clamped } = await db.transaction().execute(async (trx) => {
    const before = await lockUser(trx, userId);
    if (!before) throw notFound("User");
    const cap = input.budget_cap_usd !== undefined ? input.budget_cap_usd : money(before.budget_cap_usd);
    let limit = input.monthly_budget_usd;
    let clamped = false;
    if (limit !== undefined && exceedsCap(limit, cap)) {
      throw new ApiError("validation_error", `monthly_budget_usd must be at most budget_cap_usd (${cap})`, {
        details: [{ field: "monthly_budget_usd", message: `must be at most ${cap} (budget_cap_usd)` }],
      });
    }
    if (limit === undefined && exceedsCap(money(before.monthly_budget_usd), cap)) {
      limit = cap;
      clamped = true;
    }
    await updateUserAdminFields(trx, userId, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
      ...(input.budget_cap_usd !== undefined ? { budgetCapUsd: input.budget_cap_usd } : {}),
      ...(input.rate_limit_rpm !== undefined ? { rateLimitRpm: input.rate_limit_rpm } : {}),
      ...(input.rate_limit_tpm !== undefined ? { rateLimitTpm: input.rate_limit_tpm } : {}),
    });
    if (limit !== undefined) await setMonthlyLimit(trx, userId, limit);
    const after = await findUserById(trx, userId);
    if (!after) throw notFound("User");
    return { before, after, clamped };
  });
  // Keys cached here carry the old state (disabled, rate limits): this replica applies the
  // change at once, others when their key cache entries expire (LLMG_KEY_CACHE_TTL_MS).
  auth.forgetUser(userId);
  limits.invalidate(userId);

  const changes: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const from = before[field];
    const to = after[field];
    const same =
      typeof from === "string" && typeof to === "string" && field !== "name"
        ? money(from) === money(to)
        : from === to;
    if (!same) changes[field] = { from, to };
  }
  if (clamped) changes.monthly_budget_clamped_to_cap = true;
  await audit(ctx, { userId, action: "user.update", targetType: "user", targetId: userId, details: changes });
  return after;
}
