import { compareDecimals, normalizeDecimal } from "@llmg/core";
import { type Database, lockUser } from "@llmg/db";
import type { Kysely } from "kysely";
import { ApiError } from "../errors";

/** Whether a monthly limit (null = unlimited) is above an admin's cap (null = no cap). */
export function exceedsCap(limitUsd: string | null, capUsd: string | null): boolean {
  if (capUsd === null) return false;
  return limitUsd === null || compareDecimals(limitUsd, capUsd) > 0;
}

/**
 * Refuses a user's own limit above the cap their admin set. Run inside the transaction that
 * writes the limit: the user row stays locked, so an admin lowering the cap at the same moment
 * either sees the new limit (and clamps it) or is seen here.
 */
export async function assertWithinCap(
  trx: Kysely<Database>,
  userId: string,
  limitUsd: string | null,
): Promise<void> {
  const user = await lockUser(trx, userId);
  const cap = user?.budget_cap_usd == null ? null : normalizeDecimal(user.budget_cap_usd);
  if (cap !== null && exceedsCap(limitUsd, cap)) throw capRefusal(cap, "limit_usd");
}

export function capRefusal(capUsd: string, field: string): ApiError {
  const message = `Your administrator capped your monthly budget at ${capUsd} USD: set a limit of at most ${capUsd} (not unlimited) while the cap is in place`;
  return new ApiError("forbidden", message, { details: [{ field, message: `must be at most ${capUsd}` }] });
}

/** A soft budget only alerts, so it would let spend pass the cap. */
export function softModeRefusal(capUsd: string): ApiError {
  const message = `Your administrator capped your monthly budget at ${capUsd} USD: the budget stays in hard mode while the cap is in place`;
  return new ApiError("forbidden", message, { details: [{ field: "mode", message: "must be hard" }] });
}
