import { type Kysely, sql } from "kysely";
import type { Database } from "../types";

/** One request row as exported: money and instants as exact text, never a float or a rounded Date. */
export interface ExportRow {
  id: string;
  /** ISO 8601 in UTC to the microsecond (the column's own precision; also the keyset position). */
  created_at: string;
  api_key_id: string | null;
  team_id: string | null;
  provider: string;
  model: string;
  endpoint: string;
  stream: boolean;
  status: string;
  http_status: number;
  error_code: string | null;
  prompt_tokens: string;
  completion_tokens: string;
  cached_tokens: string;
  cache_write_tokens: string;
  reasoning_tokens: string;
  usage_estimated: boolean;
  prompt_cost: string;
  completion_cost: string;
  total_cost: string;
  latency_ms: number;
  ttft_ms: number | null;
  cache_hit: boolean;
  saved_usd: string | null;
  tags: string[];
  run_id: string | null;
  attempt: number;
  request_id: string | null;
}

export const EXPORT_COLUMNS = [
  "id",
  "created_at",
  "api_key_id",
  "team_id",
  "provider",
  "model",
  "endpoint",
  "stream",
  "status",
  "http_status",
  "error_code",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "usage_estimated",
  "prompt_cost",
  "completion_cost",
  "total_cost",
  "latency_ms",
  "ttft_ms",
  "cache_hit",
  "saved_usd",
  "tags",
  "run_id",
  "attempt",
  "request_id",
] as const satisfies readonly (keyof ExportRow)[];

export interface ExportPosition {
  createdAt: string;
  id: string;
}

/**
 * The next page of a user's rows in [from, to), oldest first, after a position (keyset: each page
 * is an index range scan of requests_user_created_idx, however deep into the range it is).
 */
export async function exportRequestPage(
  db: Kysely<Database>,
  q: { userId: string; from: Date; to: Date; after: ExportPosition | null; limit: number },
): Promise<ExportRow[]> {
  const after = q.after
    ? sql`and (r.created_at, r.id) > (${q.after.createdAt}::timestamptz, ${q.after.id})`
    : sql``;
  const { rows } = await sql<ExportRow>`
    select r.id,
      to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at,
      r.api_key_id, r.team_id, r.provider, r.model, r.endpoint, r.stream, r.status, r.http_status,
      r.error_code,
      r.prompt_tokens::text as prompt_tokens, r.completion_tokens::text as completion_tokens,
      r.cached_tokens::text as cached_tokens, r.cache_write_tokens::text as cache_write_tokens,
      r.reasoning_tokens::text as reasoning_tokens, r.usage_estimated,
      r.prompt_cost::text as prompt_cost, r.completion_cost::text as completion_cost,
      r.total_cost::text as total_cost, r.latency_ms, r.ttft_ms, r.cache_hit,
      r.saved_usd::text as saved_usd, r.tags, r.run_id, r.attempt, r.request_id
    from requests r
    where r.user_id = ${q.userId} and r.created_at >= ${q.from} and r.created_at < ${q.to} ${after}
    order by r.created_at, r.id
    limit ${q.limit}`.execute(db);
  return rows;
}
