import { decimalToNumber } from "@llmg/core";
import { countActiveKeys, countCredentials, type Database, findUserById } from "@llmg/db";
import type { Kysely } from "kysely";
import { notFound } from "../errors";
import { readMeasures } from "./measures";
import { resolveWindow } from "./range";
import { addInto, emptyAggregate } from "./summary";

/** The caller's account: who, which limits, how much is set up, and this month's spend. */
export async function accountOverview(db: Kysely<Database>, userId: string, now: number = Date.now()) {
  const month = resolveWindow({}, now);
  const [user, keys, credentials, usage] = await Promise.all([
    findUserById(db, userId),
    countActiveKeys(db, userId),
    countCredentials(db, userId),
    readMeasures(db, { userId, from: month.from, to: month.to, grouping: {} }),
  ]);
  if (!user) throw notFound("User");
  const spent = usage.reduce(addInto, emptyAggregate());
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    created_at: user.created_at.toISOString(),
    limits: {
      monthly_budget_usd: user.monthly_budget_usd === null ? null : decimalToNumber(user.monthly_budget_usd),
      monthly_budget_usd_exact: user.monthly_budget_usd,
      rate_limit_rpm: user.rate_limit_rpm,
      rate_limit_tpm: user.rate_limit_tpm,
    },
    keys_count: keys,
    credentials_count: credentials,
    this_month: {
      period: month.from.toISOString().slice(0, 7),
      from: month.from.toISOString(),
      to: month.to.toISOString(),
      requests: spent.requests,
      cost_usd: decimalToNumber(spent.cost),
      cost_usd_exact: spent.cost,
    },
  };
}

export type AccountOverview = Awaited<ReturnType<typeof accountOverview>>;
