import { HISTORY_SORTS } from "@llmg/db";
import { z } from "zod";
import { DEFAULT_GROUP_LIMIT, GROUP_DIMENSIONS, MAX_GROUP_LIMIT } from "../analytics/groups";
import { RUN_ID_PATTERN, TAG_INPUT_PATTERN } from "../chat/attribution";
import { pageInput } from "../envelope";
import { text } from "./common";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// Date-times must say their offset: a bare local time would mean different instants on
// differently configured servers.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const DAY_MS = 86_400_000;
const DATE_MESSAGE = "must be an ISO 8601 date (2026-11-01) or date-time with offset (2026-11-01T00:00:00Z)";

function validDate(text: string): Date | undefined {
  if (!DATE_ONLY.test(text) && !DATE_TIME.test(text)) return undefined;
  // Date parsing may roll 2026-02-31 over to March; a day that does not exist is refused.
  const [y, m, d] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return undefined;
  const date = DATE_ONLY.test(text) ? day : new Date(text);
  if (Number.isNaN(date.getTime())) return undefined;
  const year = date.getUTCFullYear();
  return year >= 1970 && year <= 9999 ? date : undefined;
}

/**
 * A range bound as a query string. `to` given as a bare date means the end of that day, so
 * `from=2026-11-01&to=2026-11-30` is all of November; a date-time `to` is exclusive.
 */
function dateParam(bound: "from" | "to") {
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      const date = validDate(text);
      if (!date) {
        ctx.addIssue({ code: "custom", message: DATE_MESSAGE });
        return z.NEVER;
      }
      return bound === "to" && DATE_ONLY.test(text) ? new Date(date.getTime() + DAY_MS) : date;
    })
    .meta({
      description:
        bound === "from"
          ? "Start (inclusive): ISO date or date-time, UTC unless an offset is given"
          : "End (exclusive; a bare date means the end of that day)",
      example: bound === "from" ? "2026-11-01" : "2026-11-30",
    });
}

export const fromParam = dateParam("from").optional();
export const toParam = dateParam("to").optional();

const name = (description: string, example: string) =>
  text().trim().min(1).max(200).meta({ description, example });

const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_GROUP_LIMIT)
  .meta({
    description: `With group_by: how many groups to list, biggest first (default ${DEFAULT_GROUP_LIMIT}, at most ${MAX_GROUP_LIMIT}); the rest are summed into one "other" entry`,
    example: DEFAULT_GROUP_LIMIT,
  })
  .optional();

const GROUP_BY_DESCRIPTION =
  "provider; model (as provider/model); key (the API key the call was made with, null = no key); team (the team the call counted for, null = none: only your own calls for that team); tag (a call with several tags counts fully in each tag's group, so tag groups can add up to more than the total; untagged calls form the null group)";

/** limit sizes the groups; without group_by there is nothing to size. */
function limitNeedsGroups(
  input: { group_by?: string | undefined; limit?: number | undefined },
  ctx: z.RefinementCtx,
) {
  if (input.limit !== undefined && (input.group_by === undefined || input.group_by === "none")) {
    ctx.addIssue({ code: "custom", path: ["limit"], message: "applies only with group_by" });
  }
}

export const summaryInput = z
  .object({
    from: fromParam,
    to: toParam,
    group_by: z
      .enum(GROUP_DIMENSIONS)
      .meta({
        description: `Adds \`groups\` (and \`other\`) to the answer, one entry per group: ${GROUP_BY_DESCRIPTION}`,
      })
      .optional(),
    limit: limitParam,
  })
  .superRefine(limitNeedsGroups);

export const CHART_TYPES = ["cost", "requests", "tokens", "latency", "savings", "cache_hits"] as const;
export const CHART_GRANULARITIES = ["hour", "day", "week", "month"] as const;
export const CHART_GROUPS = ["none", ...GROUP_DIMENSIONS] as const;

export const chartsInput = z
  .object({
    type: z.enum(CHART_TYPES).meta({
      description:
        "cost (USD), requests, tokens (prompt + completion), latency (ms of successful calls: avg, p50 and p95 without grouping, avg per group), savings (USD the response cache saved) or cache_hits (calls answered from the response cache)",
    }),
    granularity: z
      .enum(CHART_GRANULARITIES)
      .default("day")
      .meta({ description: "Bucket size, in UTC; weeks start on Monday" }),
    group_by: z
      .enum(CHART_GROUPS)
      .default("none")
      .meta({ description: `One series per group: ${GROUP_BY_DESCRIPTION}` }),
    limit: limitParam,
    from: fromParam,
    to: toParam,
    provider: name("Only this provider's calls", "openai").optional(),
    model: name("Only this model's calls", "gpt-4o-mini").optional(),
  })
  .superRefine(limitNeedsGroups);

/** A tag as a query parameter: the charset calls may use, compared lowercase as stored. */
export const tagParam = z
  .string()
  .trim()
  .regex(TAG_INPUT_PATTERN, "must be 1-64 characters of letters, digits, _ . : / -")
  .transform((tag) => tag.toLowerCase())
  .meta({ description: "Only calls carrying this tag (compared lowercase)", example: "feature:search" });

/** A run id as sent in x-llmg-run-id. */
export const runIdParam = z
  .string()
  .trim()
  .regex(RUN_ID_PATTERN, "must be 1-128 characters of letters, digits, _ . : -")
  .meta({ description: "An agent run id, as sent in x-llmg-run-id", example: "run_01J9ZQ" });

export const historyInput = pageInput
  .extend({
    provider: name("Only this provider", "openai").optional(),
    model: name("Only this model", "gpt-4o-mini").optional(),
    status: z.enum(["success", "error"]).optional(),
    from: fromParam,
    to: toParam,
    min_cost: z
      .string()
      .trim()
      .regex(/^\d{1,10}(\.\d{1,18})?$/, "must be a non-negative USD amount such as 0.01")
      .meta({ description: "Only calls costing at least this much (USD, inclusive)", example: "0.01" })
      .optional(),
    api_key_id: name("Only calls made with this API key", "key_...").optional(),
    tag: tagParam.optional(),
    run_id: runIdParam.meta({ description: "Only calls of this agent run (x-llmg-run-id)" }).optional(),
    sort: z.enum(HISTORY_SORTS).default("created_at"),
    order: z.enum(["asc", "desc"]).default("desc"),
    cursor: text()
      .trim()
      .min(1)
      .max(500)
      .meta({
        description:
          "pagination.next_cursor of the previous page: continues right after it (same filters and sort), in constant time however deep",
      })
      .optional(),
  })
  .superRefine((input, ctx) => {
    if (input.from && input.to && input.from.getTime() > input.to.getTime()) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "must not be after to" });
    }
  });

export const activityInput = pageInput.extend({
  action: name("Only entries with this action, e.g. api_key.create", "api_key.create").optional(),
});

export type SummaryInput = z.infer<typeof summaryInput>;
export type ChartsInput = z.infer<typeof chartsInput>;
export type HistoryInput = z.infer<typeof historyInput>;
