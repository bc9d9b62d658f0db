import { normalizeDecimal } from "@llmg/core";
import { EXPORT_COLUMNS, type ExportPosition, type ExportRow, exportRequestPage } from "@llmg/db";
import { readMeasures } from "../analytics/measures";
import type { Services } from "../services";
import { csvLine, jsonLine } from "./encode";
import type { ExportGroup } from "./export-input";

/** Rows read per query: big enough to amortise the round trip, small enough to keep memory flat. */
const PAGE_ROWS = 2_000;

const MONEY = new Set<string>(["prompt_cost", "completion_cost", "total_cost", "saved_usd"]);

interface ExportRequest {
  userId: string;
  from: Date;
  to: Date;
  format: "csv" | "jsonl";
  groupBy: ExportGroup[] | undefined;
}

/**
 * The export as text chunks, read lazily: the caller pulls a chunk, writes it, waits for the
 * socket to drain, then pulls the next, so a 10 M-row range never sits in memory.
 */
export async function* exportLines(services: Services, req: ExportRequest): AsyncGenerator<string> {
  if (req.groupBy) {
    yield* groupLines(services, req, req.groupBy);
    return;
  }
  if (req.format === "csv") yield csvLine(EXPORT_COLUMNS);
  let after: ExportPosition | null = null;
  for (;;) {
    const rows: ExportRow[] = await exportRequestPage(services.db, { ...req, after, limit: PAGE_ROWS });
    if (rows.length === 0) return;
    let chunk = "";
    for (const row of rows) chunk += rowLine(row, req.format);
    yield chunk;
    if (rows.length < PAGE_ROWS) return;
    const last = rows[rows.length - 1] as ExportRow;
    after = { createdAt: last.created_at, id: last.id };
  }
}

function rowLine(row: ExportRow, format: "csv" | "jsonl"): string {
  const out: Record<string, unknown> = {};
  for (const column of EXPORT_COLUMNS) {
    const value = row[column];
    out[column] = MONEY.has(column) && typeof value === "string" ? normalizeDecimal(value) : value;
  }
  return format === "csv" ? csvLine(EXPORT_COLUMNS.map((c) => out[c])) : jsonLine(out);
}

const GROUP_COLUMNS = [
  "requests",
  "errors",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost_usd",
] as const;

/** Aggregates by day, provider and/or model from the same reader as the summary (exact, current). */
async function* groupLines(
  services: Services,
  req: ExportRequest,
  groupBy: ExportGroup[],
): AsyncGenerator<string> {
  const rows = await readMeasures(services.db, {
    userId: req.userId,
    from: req.from,
    to: req.to,
    grouping: {
      ...(groupBy.includes("day") ? { bucket: "day" as const } : {}),
      provider: groupBy.includes("provider") || groupBy.includes("model"),
      model: groupBy.includes("model"),
    },
  });
  const keys = [
    ...(groupBy.includes("day") ? ["day"] : []),
    ...(groupBy.includes("provider") || groupBy.includes("model") ? ["provider"] : []),
    ...(groupBy.includes("model") ? ["model"] : []),
  ];
  const header = [...keys, ...GROUP_COLUMNS];
  const sorted = rows
    .map((r) => ({
      day: r.bucket ? r.bucket.toISOString().slice(0, 10) : null,
      provider: r.provider,
      model: r.model,
      requests: r.requests,
      errors: r.errors,
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      cached_tokens: r.cached_tokens,
      cache_write_tokens: r.cache_write_tokens,
      reasoning_tokens: r.reasoning_tokens,
      cost_usd: normalizeDecimal(r.cost),
    }))
    .sort((a, b) =>
      `${a.day ?? ""}\u0000${a.provider ?? ""}\u0000${a.model ?? ""}`.localeCompare(
        `${b.day ?? ""}\u0000${b.provider ?? ""}\u0000${b.model ?? ""}`,
      ),
    );
  if (req.format === "csv") yield csvLine(header);
  let chunk = "";
  for (const row of sorted) {
    const out = Object.fromEntries(header.map((h) => [h, row[h as keyof typeof row]]));
    chunk += req.format === "csv" ? csvLine(header.map((h) => out[h])) : jsonLine(out);
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}
