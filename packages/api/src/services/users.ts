import { createUser, findUserByEmail, type User } from "@llmg/db";
import { audit } from "../audit";
import type { Context } from "../context";
import { ApiError } from "../errors";

export interface NewUserInput {
  email: string;
  name?: string | undefined;
  monthly_budget_usd?: string | null | undefined;
  rate_limit_rpm?: number | null | undefined;
  rate_limit_tpm?: number | null | undefined;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
}

/** Creates a user (email unique, case-insensitive) and records who did it. */
export async function createUserAccount(ctx: Context, input: NewUserInput): Promise<User> {
  const email = input.email.toLowerCase();
  const conflict = () => new ApiError("conflict", `A user with email ${email} already exists`);
  if (await findUserByEmail(ctx.services.db, email)) throw conflict();
  const user = await createUser(ctx.services.db, {
    email,
    name: input.name ?? null,
    monthlyBudgetUsd: input.monthly_budget_usd ?? null,
    rateLimitRpm: input.rate_limit_rpm ?? null,
    rateLimitTpm: input.rate_limit_tpm ?? null,
  }).catch((error: unknown) => {
    // Two concurrent creates can both pass the lookup; the unique index decides.
    throw isUniqueViolation(error) ? conflict() : error;
  });
  await audit(ctx, { userId: user.id, action: "user.create", targetType: "user", targetId: user.id });
  return user;
}
