import { catchUpRollups } from "@llmg/api";
import { type Database, type DbKind, type GenerateOptions, insertGeneratedRequests } from "@llmg/db";
import { type Kysely, sql } from "kysely";
import { call, createUserWithKey, type JsonResponse, startTestGateway, type TestGateway } from "./harness";

export interface UsageFixture {
  t: TestGateway;
  db: Kysely<Database>;
  a: Awaited<ReturnType<typeof createUserWithKey>>;
  b: Awaited<ReturnType<typeof createUserWithKey>>;
  /** GET /api/<path> as user A (or another key), query as an object. */
  get(path: string, query?: Record<string, string | number>, key?: string): Promise<JsonResponse>;
  close(): Promise<void>;
}

/** A gateway with two users, A and B, each with a key; rows are added by the tests. */
export async function startUsageFixture(
  kind: DbKind,
  options: { redis?: boolean } = {},
): Promise<UsageFixture> {
  const t = await startTestGateway(kind, { redis: options.redis ?? false });
  const a = await createUserWithKey(t, { name: "Ada", monthly_budget_usd: 50 });
  const b = await createUserWithKey(t);
  return {
    t,
    db: t.gateway.services.db,
    a,
    b,
    get(path, query = {}, key = a.key) {
      const qs = new URLSearchParams(
        Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      return call(`${t.url}/api/${path}${qs ? `?${qs}` : ""}`, { key });
    },
    close: () => t.close(),
  };
}

export function generate(db: Kysely<Database>, options: GenerateOptions) {
  return insertGeneratedRequests(db, options);
}

export interface RawTotals {
  requests: number;
  successes: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost: string;
  latency_sum: number;
  latency_max: number | null;
  ttft_sum: number;
  ttft_count: number;
  cache_hits: number;
  saved: string;
}

/** The straight SQL answer over raw rows in [from, to), optionally per provider. */
export async function rawTotals(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  to: Date,
  extra: { provider?: string } = {},
): Promise<RawTotals> {
  const provider = extra.provider ? sql`and provider = ${extra.provider}` : sql``;
  const { rows } = await sql<RawTotals>`
    select count(*)::int8 as requests,
      count(*) filter (where status = 'success')::int8 as successes,
      count(*) filter (where status <> 'success')::int8 as errors,
      coalesce(sum(prompt_tokens), 0)::int8 as prompt_tokens,
      coalesce(sum(completion_tokens), 0)::int8 as completion_tokens,
      coalesce(sum(cached_tokens), 0)::int8 as cached_tokens,
      coalesce(sum(reasoning_tokens), 0)::int8 as reasoning_tokens,
      coalesce(sum(total_cost), 0)::text as cost,
      coalesce(sum(latency_ms) filter (where status = 'success'), 0)::int8 as latency_sum,
      max(latency_ms) filter (where status = 'success') as latency_max,
      coalesce(sum(ttft_ms) filter (where status = 'success' and stream), 0)::int8 as ttft_sum,
      count(ttft_ms) filter (where status = 'success' and stream)::int8 as ttft_count,
      count(*) filter (where cache_hit)::int8 as cache_hits,
      coalesce(sum(saved_usd), 0)::text as saved
    from requests where user_id = ${userId} and created_at >= ${from} and created_at < ${to} ${provider}`.execute(
    db,
  );
  const row = rows[0] as RawTotals;
  return { ...row, cost: canonical(row.cost), saved: canonical(row.saved) };
}

/** One spelling per value ("1.50" → "1.5"), as the API's exact strings are. */
export function canonical(decimal: string): string {
  return decimal.includes(".") ? decimal.replace(/0+$/, "").replace(/\.$/, "") : decimal;
}

/** Rolls everything up now, through the same processor the worker runs. */
export function rollUp(db: Kysely<Database>) {
  return catchUpRollups(db);
}
