import type { UsageRowValues } from "@llmg/db";

/** Largest value of PostgreSQL's `integer`, the type of every count and duration in `requests`. */
export const INT4_MAX = 2_147_483_647;

// ES2024 string methods (Node 20 has them; the project's lib is ES2023).
type WellFormed = { isWellFormed(): boolean; toWellFormed(): string };

/**
 * PostgreSQL refuses NUL in text ("invalid byte sequence for encoding UTF8: 0x00"). Lone UTF-16
 * surrogates cannot be encoded as UTF-8 at all, so they become U+FFFD. Clean text comes back as
 * the same string, so the common case allocates nothing.
 */
export function cleanText(text: string): string {
  const dirty = text.includes("\u0000") || !(text as unknown as WellFormed).isWellFormed();
  if (!dirty) return text;
  return (text as unknown as WellFormed).toWellFormed().replaceAll("\u0000", "");
}

// What jsonb refuses in JSON text that JSON.stringify writes: "\u0000" ("unsupported Unicode
// escape sequence") and escaped lone surrogates, which JSON.stringify emits as "\udXXX". An
// escaped backslash followed by "u0000" also matches; the slow path then changes nothing.
const JSONB_POISON = /\\u(?:0000|d[89a-f])/i;

function cleanJson(value: unknown): unknown {
  if (typeof value === "string") return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[cleanText(key)] = cleanJson(inner);
    return out;
  }
  return value;
}

/** JSON text jsonb accepts: NUL dropped and lone surrogates replaced in every key and string. */
export function cleanJsonText(json: string): string | null {
  if (!JSONB_POISON.test(json)) return json;
  try {
    return JSON.stringify(cleanJson(JSON.parse(json)));
  } catch {
    // Too deep to rebuild: the column is left empty rather than failing the row.
    return null;
  }
}

/** A count an `integer` column takes: a non-negative integer, rounded up and capped. */
export function clampCount(value: number): number {
  if (Number.isSafeInteger(value) && value >= 0 && value <= INT4_MAX) return value;
  if (Number.isNaN(value) || value < 0) return 0;
  return Math.min(Math.ceil(value), INT4_MAX);
}

export interface CleanedRow {
  row: UsageRowValues;
  /** A string lost NUL characters or lone surrogates. */
  cleaned: boolean;
  /** A count or duration was out of its column's range; token clamps also set usage_estimated. */
  clamped: boolean;
}

const TEXT_COLUMNS = ["error_code", "error_message", "ip", "user_agent", "model", "run_id"] as const;
const JSON_COLUMNS = ["metadata", "request_body", "response_body"] as const;
const TOKEN_COLUMNS = [
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
] as const;

/**
 * Makes a usage row something PostgreSQL cannot refuse for its content, so one call's odd input
 * (a NUL in a prompt, a provider's negative or astronomic token count) never fails the INSERT
 * it shares with other calls' rows. Returns the row itself when nothing needed changing.
 */
export function cleanUsageRow(input: UsageRowValues): CleanedRow {
  let row = input;
  let cleaned = false;
  let clamped = false;
  const edit = () => {
    if (row === input) row = { ...input };
    return row;
  };
  for (const column of TEXT_COLUMNS) {
    const value = row[column];
    if (value === null) continue;
    const clean = cleanText(value);
    if (clean !== value) {
      edit()[column] = clean;
      cleaned = true;
    }
  }
  for (const column of JSON_COLUMNS) {
    const value = row[column];
    if (value === null) continue;
    const clean = cleanJsonText(value);
    if (clean !== value) {
      edit()[column] = clean;
      cleaned = true;
    }
  }
  // Tags are validated at the call's start; cleaned anyway so a row built elsewhere cannot fail.
  if (row.tags.some((tag) => cleanText(tag) !== tag)) {
    edit().tags = row.tags.map(cleanText);
    cleaned = true;
  }
  for (const column of TOKEN_COLUMNS) {
    const value = row[column];
    const clamp = clampCount(value);
    if (clamp !== value) {
      const r = edit();
      r[column] = clamp;
      // The stored count is not what the provider said: the row is flagged like an estimate.
      r.usage_estimated = true;
      clamped = true;
    }
  }
  for (const column of ["latency_ms", "http_status"] as const) {
    const clamp = clampCount(row[column]);
    if (clamp !== row[column]) {
      edit()[column] = clamp;
      clamped = true;
    }
  }
  const ttft = row.ttft_ms;
  if (ttft !== null && clampCount(ttft) !== ttft) {
    edit().ttft_ms = clampCount(ttft);
    clamped = true;
  }
  return { row, cleaned, clamped };
}
