import { type Kysely, sql } from "kysely";
import type { Database } from "../types";

/** What one user's calls of one agent run add up to. */
export interface RunTotals {
  calls: number;
  successes: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  /** Exact decimal string. */
  total_cost: string;
  first_at: Date;
  last_at: Date;
  /** The envelope the latest call was sent with (x-llmg-run-budget-usd), exact; null if none. */
  run_budget_usd: string | null;
}

/**
 * Totals of a run, or undefined when the user has no call in it. Always scoped to the user: a
 * run id is chosen by the caller, so two users' runs may share one and must never mix. One range
 * of the (user_id, run_id, created_at) index; sums are numeric, so the cost stays exact.
 */
export async function runTotals(
  db: Kysely<Database>,
  userId: string,
  runId: string,
): Promise<RunTotals | undefined> {
  const { rows } = await sql<{
    calls: string;
    successes: string;
    errors: string;
    prompt_tokens: string;
    completion_tokens: string;
    cached_tokens: string;
    reasoning_tokens: string;
    total_cost: string;
    first_at: Date | null;
    last_at: Date | null;
    run_budget_usd: string | null;
  }>`
    select count(*)::text as calls,
      count(*) filter (where status = 'success')::text as successes,
      count(*) filter (where status = 'error')::text as errors,
      coalesce(sum(prompt_tokens), 0)::text as prompt_tokens,
      coalesce(sum(completion_tokens), 0)::text as completion_tokens,
      coalesce(sum(cached_tokens), 0)::text as cached_tokens,
      coalesce(sum(reasoning_tokens), 0)::text as reasoning_tokens,
      coalesce(sum(total_cost), 0)::text as total_cost,
      min(created_at) as first_at,
      max(created_at) as last_at,
      (array_agg(run_budget_usd::text order by created_at desc, id desc)
        filter (where run_budget_usd is not null))[1] as run_budget_usd
    from requests
    where user_id = ${userId} and run_id = ${runId}`.execute(db);
  const row = rows[0];
  if (!row || row.calls === "0" || !row.first_at || !row.last_at) return undefined;
  return {
    calls: Number(row.calls),
    successes: Number(row.successes),
    errors: Number(row.errors),
    prompt_tokens: Number(row.prompt_tokens),
    completion_tokens: Number(row.completion_tokens),
    cached_tokens: Number(row.cached_tokens),
    reasoning_tokens: Number(row.reasoning_tokens),
    total_cost: row.total_cost,
    first_at: new Date(row.first_at),
    last_at: new Date(row.last_at),
    run_budget_usd: row.run_budget_usd,
  };
}
