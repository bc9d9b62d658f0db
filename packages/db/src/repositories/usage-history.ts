import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "../types";

export const HISTORY_SORTS = ["created_at", "cost", "latency", "total_tokens"] as const;
export type HistorySort = (typeof HISTORY_SORTS)[number];

export interface HistoryFilters {
  provider?: string | undefined;
  model?: string | undefined;
  status?: "success" | "error" | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Exact decimal string, inclusive. */
  minCost?: string | undefined;
  apiKeyId?: string | undefined;
  /** Only calls carrying this tag (lowercase). */
  tag?: string | undefined;
  /** Only calls of this agent run. */
  runId?: string | undefined;
}

/** A position in one sort order: the sort key (as text, exact) and the id that breaks ties. */
export interface HistoryKey {
  key: string;
  id: string;
}

export interface HistoryQuery {
  userId: string;
  filters: HistoryFilters;
  sort: HistorySort;
  order: "asc" | "desc";
  limit: number;
  /** Rows to skip (page numbers); ignored when `after` is given. */
  offset?: number;
  /** Continue after this row (a cursor). */
  after?: HistoryKey;
}

export interface HistoryRow {
  id: string;
  created_at: Date;
  provider: string;
  model: string;
  endpoint: string;
  stream: boolean;
  status: "success" | "error";
  http_status: number;
  error_code: string | null;
  api_key_id: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  total_cost: string;
  latency_ms: number;
  ttft_ms: number | null;
  tags: string[];
  run_id: string | null;
  cache_hit: boolean;
  /** Exact decimal; null unless cache_hit. */
  saved_usd: string | null;
  /** This row's position, for the next page's cursor. */
  sort_key: string;
}

interface SortSpec {
  expr: RawBuilder<unknown>;
  /** The key as exact text: timestamps as epoch microseconds (a JS Date only keeps ms). */
  text: RawBuilder<unknown>;
  /** Reads that text back into the sort expression's type. */
  parse: (key: string) => RawBuilder<unknown>;
}

// Each expression is exactly the leading column of its index (see the usage_rollups migration),
// which is what lets a page be read as an index range.
const SORTS: Record<HistorySort, SortSpec> = {
  created_at: {
    expr: sql`r.created_at`,
    text: sql`((extract(epoch from r.created_at) * 1000000)::bigint)::text`,
    parse: (k) => sql`(timestamptz 'epoch' + cast(${k} as bigint) * interval '1 microsecond')`,
  },
  cost: { expr: sql`r.total_cost`, text: sql`r.total_cost::text`, parse: (k) => sql`cast(${k} as numeric)` },
  latency: {
    expr: sql`r.latency_ms`,
    text: sql`r.latency_ms::text`,
    parse: (k) => sql`cast(${k} as integer)`,
  },
  total_tokens: {
    expr: sql`(r.prompt_tokens + r.completion_tokens)`,
    text: sql`(r.prompt_tokens + r.completion_tokens)::text`,
    parse: (k) => sql`cast(${k} as integer)`,
  },
};

/**
 * False for a key that cannot be read back in the sort's type (a forged or stale cursor): one out
 * of the type's range would otherwise be a database error, not a 400.
 */
export function isValidHistoryKey(sort: HistorySort, key: string): boolean {
  if (sort === "cost") return /^\d{1,30}(\.\d{1,30})?$/.test(key);
  // epoch microseconds, up to the year 5138: far inside timestamptz's range
  if (sort === "created_at") return /^\d{1,17}$/.test(key);
  return /^-?\d{1,10}$/.test(key) && Math.abs(Number(key)) <= 2_147_483_647;
}

function filterSql(f: HistoryFilters): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.provider !== undefined) parts.push(sql`and r.provider = ${f.provider}`);
  if (f.model !== undefined) parts.push(sql`and r.model = ${f.model}`);
  if (f.status !== undefined) parts.push(sql`and r.status = ${f.status}`);
  if (f.from !== undefined) parts.push(sql`and r.created_at >= ${f.from}`);
  if (f.to !== undefined) parts.push(sql`and r.created_at < ${f.to}`);
  if (f.minCost !== undefined) parts.push(sql`and r.total_cost >= cast(${f.minCost} as numeric)`);
  if (f.apiKeyId !== undefined) parts.push(sql`and r.api_key_id = ${f.apiKeyId}`);
  // Containment, which the GIN index on tags serves (`= any(tags)` could not use it).
  if (f.tag !== undefined) parts.push(sql`and r.tags @> array[${f.tag}]::text[]`);
  if (f.runId !== undefined) parts.push(sql`and r.run_id = ${f.runId}`);
  return sql.join(parts, sql` `);
}

const LIST_COLUMNS = sql.raw(`r.id, r.created_at, r.provider, r.model, r.endpoint, r.stream, r.status,
  r.http_status, r.error_code, r.api_key_id, r.prompt_tokens, r.completion_tokens, r.cached_tokens,
  r.reasoning_tokens, r.total_cost, r.latency_ms, r.ttft_ms, r.tags, r.run_id, r.cache_hit, r.saved_usd`);

/**
 * One page of a user's request history, read by keyset: `order by key, id` through the sort's
 * index, starting at a position rather than counting rows off the table.
 *
 * - `after` (a cursor) starts right after a known row: one index range of `limit` entries.
 * - `offset` (a page number) first finds the page's first position by skipping `offset`
 *   entries of the same index, selecting only the key and id so PostgreSQL can skip with an
 *   index-only scan (no table row is touched for skipped entries), then reads the page as
 *   from a cursor. With filters outside the index the skip must look at the rows it skips.
 */
export async function listRequestHistory(db: Kysely<Database>, q: HistoryQuery): Promise<HistoryRow[]> {
  const spec = SORTS[q.sort];
  const dir = sql.raw(q.order === "desc" ? "desc" : "asc");
  const cmp = sql.raw(q.order === "desc" ? "<=" : ">=");
  const filters = filterSql(q.filters);
  const orderBy = sql`order by ${spec.expr} ${dir}, r.id ${dir}`;
  const select = sql`select ${LIST_COLUMNS}, ${spec.text} as sort_key from requests r`;

  let query: RawBuilder<HistoryRow>;
  if (q.after) {
    const strict = sql.raw(q.order === "desc" ? "<" : ">");
    query = sql<HistoryRow>`${select}
      where r.user_id = ${q.userId} ${filters}
        and (${spec.expr}, r.id) ${strict} (${spec.parse(q.after.key)}, ${q.after.id})
      ${orderBy} limit ${q.limit}`;
  } else if (q.offset && q.offset > 0) {
    // The start position as two scalar subqueries (init plans), not a join: only then does the
    // planner use the row comparison as an index condition and seek straight to it.
    query = sql<HistoryRow>`with start as materialized (
        select ${spec.expr} as k, r.id from requests r
        where r.user_id = ${q.userId} ${filters}
        ${orderBy} offset ${q.offset} limit 1
      )
      ${select}
      where r.user_id = ${q.userId} ${filters}
        and (${spec.expr}, r.id) ${cmp} ((select k from start), (select id from start))
      ${orderBy} limit ${q.limit}`;
  } else {
    query = sql<HistoryRow>`${select} where r.user_id = ${q.userId} ${filters} ${orderBy} limit ${q.limit}`;
  }
  const { rows } = await query.execute(db);
  return rows.map((r) => ({ ...r, created_at: new Date(r.created_at), total_cost: String(r.total_cost) }));
}

/** How many of the user's rows match: the raw count, for filters the rollups do not keep. */
export async function countRequestHistory(
  db: Kysely<Database>,
  userId: string,
  filters: HistoryFilters,
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*) as n from requests r where r.user_id = ${userId} ${filterSql(filters)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
