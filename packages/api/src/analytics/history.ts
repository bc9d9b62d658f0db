import { createHash } from "node:crypto";
import {
  countRequestHistory,
  type Database,
  type HistoryFilters,
  type HistoryKey,
  type HistoryRow,
  type HistorySort,
  isValidHistoryKey,
  listRequestHistory,
} from "@llmg/db";
import { type Kysely, sql } from "kysely";
import { isStorableText } from "../schemas/common";
import { readMeasures } from "./measures";
import { fieldError } from "./range";

export interface HistoryRequest {
  filters: HistoryFilters;
  sort: HistorySort;
  order: "asc" | "desc";
  page: number;
  perPage: number;
  cursor?: string | undefined;
}

interface CursorBody {
  /** Page number of the page this cursor opens. */
  p: number;
  k: string;
  i: string;
  /** Fingerprint of sort, order, page size and filters: a cursor only continues its own list. */
  f: string;
}

function fingerprint(req: HistoryRequest): string {
  const f = req.filters;
  const parts = [
    req.sort,
    req.order,
    req.perPage,
    f.provider,
    f.model,
    f.status,
    f.from?.getTime(),
    f.to?.getTime(),
    f.minCost,
    f.apiKeyId,
    f.tag,
    f.runId,
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 12);
}

function encodeCursor(body: CursorBody): string {
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

function decodeCursor(req: HistoryRequest, cursor: string): { page: number; after: HistoryKey } {
  let body: Partial<CursorBody> | undefined;
  try {
    body = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<CursorBody>;
  } catch {
    body = undefined;
  }
  if (
    !body ||
    typeof body.p !== "number" ||
    !Number.isSafeInteger(body.p) ||
    body.p < 2 ||
    typeof body.k !== "string" ||
    typeof body.i !== "string" ||
    !isStorableText(body.i) ||
    !isValidHistoryKey(req.sort, body.k)
  ) {
    throw fieldError("cursor", "is not a cursor this endpoint returned");
  }
  if (body.f !== fingerprint(req)) {
    throw fieldError("cursor", "was made for other filters, sort, order or per_page; start again without it");
  }
  return { page: body.p, after: { key: body.k, id: body.i } };
}

/** First and last request of the user: the range a count over everything must cover. */
async function userSpan(db: Kysely<Database>, userId: string): Promise<{ first: Date; last: Date } | null> {
  const { rows } = await sql<{ first: Date | null; last: Date | null }>`
    select (select min(created_at) from requests where user_id = ${userId}) as first,
           (select max(created_at) from requests where user_id = ${userId}) as last`.execute(db);
  const row = rows[0];
  return row?.first && row.last ? { first: new Date(row.first), last: new Date(row.last) } : null;
}

/**
 * How many rows the filters match. Filters the rollups keep (provider, model, status, time)
 * are counted from them plus the live tail, so a total over millions of rows costs what a
 * summary does; min_cost, api_key_id, tag and run_id are not in the rollups and count the rows
 * themselves (through the cost, tags and run indexes).
 */
async function countMatching(db: Kysely<Database>, userId: string, f: HistoryFilters): Promise<number> {
  if (f.minCost !== undefined || f.apiKeyId !== undefined || f.tag !== undefined || f.runId !== undefined)
    return countRequestHistory(db, userId, f);
  const span = await userSpan(db, userId);
  if (!span) return 0;
  const from = f.from && f.from > span.first ? f.from : span.first;
  const lastPlusOne = new Date(span.last.getTime() + 1);
  const to = f.to && f.to < lastPlusOne ? f.to : lastPlusOne;
  if (from >= to) return 0;
  const rows = await readMeasures(db, {
    userId,
    from,
    to,
    grouping: {},
    filters: { provider: f.provider, model: f.model },
  });
  const row = rows[0];
  if (!row) return 0;
  return f.status === "success" ? row.successes : f.status === "error" ? row.errors : row.requests;
}

export interface HistoryPage {
  rows: HistoryRow[];
  page: number;
  total: number;
  nextCursor: string | null;
}

/** One page of history by page number or by cursor, its total, and the cursor of the next page. */
export async function requestHistory(
  db: Kysely<Database>,
  userId: string,
  req: HistoryRequest,
): Promise<HistoryPage> {
  const fromCursor = req.cursor ? decodeCursor(req, req.cursor) : undefined;
  const page = fromCursor?.page ?? req.page;
  const [rows, total] = await Promise.all([
    listRequestHistory(db, {
      userId,
      filters: req.filters,
      sort: req.sort,
      order: req.order,
      // One more than asked: whether a next page exists, without counting.
      limit: req.perPage + 1,
      ...(fromCursor ? { after: fromCursor.after } : { offset: (page - 1) * req.perPage }),
    }),
    countMatching(db, userId, req.filters),
  ]);
  const pageRows = rows.slice(0, req.perPage);
  const last = pageRows[pageRows.length - 1];
  const nextCursor =
    rows.length > req.perPage && last
      ? encodeCursor({ p: page + 1, k: last.sort_key, i: last.id, f: fingerprint(req) })
      : null;
  return { rows: pageRows, page, total, nextCursor };
}
