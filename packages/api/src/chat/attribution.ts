import { ApiError } from "../errors";
import { MAX_LIMIT_USD } from "../limits/money";

/** Most distinct tags one call may carry, header and metadata together. */
export const MAX_TAGS_PER_CALL = 10;
/**
 * A tag: letters, digits and `_ . : / -`, 1 to 64 characters, stored lowercase. The charset is
 * safe in a header, a URL path segment (but `/`), a metrics label and a Redis key; lowercasing
 * keeps `Search` and `search` one line of spend, as a tag budget will need.
 */
export const TAG_PATTERN = /^[a-z0-9_.:/-]{1,64}$/;
// Checked before lowercasing: some non-ASCII letters (the Kelvin sign) lowercase to ASCII.
export const TAG_INPUT_PATTERN = /^[A-Za-z0-9_.:/-]{1,64}$/;
/** A run id: letters, digits and `_ . : -`, 1 to 128 characters, case kept (UUIDs, ULIDs). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Header values are bounded before they are split, so a huge header costs nothing. */
const MAX_TAGS_HEADER = 1024;
const RUN_BUDGET_PATTERN = /^\d{1,10}(\.\d{1,10})?$/;

export const TAGS_HEADER = "x-llmg-tags";
export const RUN_ID_HEADER = "x-llmg-run-id";
export const RUN_BUDGET_HEADER = "x-llmg-run-budget-usd";

/** The raw attribution headers of a call, as the HTTP layer read them. */
export interface AttributionHeaders {
  tags?: string | undefined;
  runId?: string | undefined;
  runBudgetUsd?: string | undefined;
}

/** Who a call's cost is attributed to besides its user and key. */
export interface Attribution {
  /** Distinct, lowercase, in the order first seen (header first). */
  tags: string[];
  runId: string | null;
  /** The run envelope sent with the call, exact decimal; stored only (held in a later step). */
  runBudgetUsd: string | null;
}

export const NO_ATTRIBUTION: Attribution = { tags: [], runId: null, runBudgetUsd: null };

function refuse(field: string, message: string): never {
  throw new ApiError("validation_error", `Invalid ${field}: ${message}`, { details: [{ field, message }] });
}

export const TAG_RULE = "each tag must be 1-64 characters of letters, digits, _ . : / -";

/** A tag as stored (trimmed, lowercase), or null when it breaks TAG_RULE; tag budgets use it too. */
export function parseTag(raw: string): string | null {
  const tag = raw.trim();
  return TAG_INPUT_PATTERN.test(tag) ? tag.toLowerCase() : null;
}

function checkTag(field: string, raw: string): string {
  return parseTag(raw) ?? refuse(field, TAG_RULE);
}

function tagsFromHeader(value: string): string[] {
  if (value.length > MAX_TAGS_HEADER) refuse(TAGS_HEADER, `at most ${MAX_TAGS_HEADER} characters`);
  const items = value.split(",");
  if (items.length > MAX_TAGS_PER_CALL) refuse(TAGS_HEADER, `at most ${MAX_TAGS_PER_CALL} tags`);
  return items.map((item) => checkTag(TAGS_HEADER, item));
}

function tagsFromMetadata(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    refuse(field, "must be an array of strings");
  if (value.length > MAX_TAGS_PER_CALL) refuse(field, `at most ${MAX_TAGS_PER_CALL} tags`);
  return value.map((item) => checkTag(field, item));
}

/** Exact: a float would read 1000000.0000000001 as 1000000. */
function overLimit(decimal: string): boolean {
  const [whole = "0", fraction = ""] = decimal.split(".");
  const units = BigInt(whole);
  const max = BigInt(MAX_LIMIT_USD);
  return units > max || (units === max && /[1-9]/.test(fraction));
}

/** A header that is absent or only whitespace is treated as not sent. */
function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * A call's tags and run from its headers and its metadata, or a 400 naming the field. Runs before
 * the call is admitted, so a bad list never reserves budget or reaches a provider.
 *
 * Tags from `x-llmg-tags` and `metadata.tags` are merged (their union, duplicates removed after
 * lowercasing), and the union must hold at most 10. `metadataField` names where the metadata came
 * from (`metadata`, or `x-llmg-metadata` when it was sent as a header).
 */
export function attributionFrom(
  headers: AttributionHeaders | undefined,
  metadata: Record<string, unknown> | null,
  metadataField = "metadata",
): Attribution {
  const tagsHeader = present(headers?.tags);
  const fromHeader = tagsHeader === undefined ? [] : tagsFromHeader(tagsHeader);
  const metaTags = metadata?.tags;
  const fromMetadata =
    metaTags === undefined || metaTags === null ? [] : tagsFromMetadata(`${metadataField}.tags`, metaTags);
  const tags = [...new Set([...fromHeader, ...fromMetadata])];
  if (tags.length > MAX_TAGS_PER_CALL)
    refuse(TAGS_HEADER, `at most ${MAX_TAGS_PER_CALL} distinct tags with ${metadataField}.tags`);

  const runId = present(headers?.runId) ?? null;
  if (runId !== null && !RUN_ID_PATTERN.test(runId))
    refuse(RUN_ID_HEADER, "must be 1-128 characters of letters, digits, _ . : -");

  const budget = present(headers?.runBudgetUsd) ?? null;
  if (budget !== null) {
    if (runId === null) refuse(RUN_BUDGET_HEADER, `needs ${RUN_ID_HEADER}: an envelope belongs to a run`);
    if (!RUN_BUDGET_PATTERN.test(budget))
      refuse(RUN_BUDGET_HEADER, "must be a USD amount as a decimal string with at most 10 decimals");
    if (!/[1-9]/.test(budget)) refuse(RUN_BUDGET_HEADER, "must be more than 0");
    if (overLimit(budget)) refuse(RUN_BUDGET_HEADER, `must be at most ${MAX_LIMIT_USD}`);
  }
  return { tags, runId, runBudgetUsd: budget };
}
