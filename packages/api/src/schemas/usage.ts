import { decimalToNumber, normalizeDecimal } from "@llmg/core";
import type { HistoryRow, RequestRow } from "@llmg/db";
import { z } from "zod";
import { paginationSchema } from "../envelope";
import { isoDate } from "./common";
import { CHART_TYPES } from "./usage-inputs";

// Money as in the pricing and budget endpoints: a number for display, `*_exact` to compute with.
const usd = (description: string) => z.number().meta({ description: `USD, for display. ${description}` });
const usdExact = z.string().meta({ description: "USD, exact decimal string", example: "12.3456789" });
const fraction = (description: string) =>
  z.number().meta({ description: `0..1. ${description}`, example: 0.97 });
const count = z.number().int();
const ms = (description: string) =>
  z
    .number()
    .int()
    .nullable()
    .meta({ description: `ms. ${description}` });

export const usageTotalsSchema = z
  .object({
    requests: count,
    successful: count,
    failed: count,
    success_rate: fraction("successful / requests (0 without requests)"),
    prompt_tokens: count,
    completion_tokens: count,
    cached_tokens: count.meta({ description: "Prompt tokens read from the provider's cache" }),
    reasoning_tokens: count.meta({ description: "Completion tokens spent reasoning" }),
    total_tokens: count.meta({ description: "prompt_tokens + completion_tokens" }),
    cost_usd: usd("Total cost"),
    cost_usd_exact: usdExact,
    cache_hits: count.meta({
      description: "Calls answered from the response cache (cost 0, counted in requests)",
    }),
    saved_usd: usd("What the cache hits would have cost"),
    saved_usd_exact: usdExact,
  })
  .meta({ id: "UsageTotals" });

const share = fraction("This group's part of the period's cost");

export const usageSummarySchema = z
  .object({
    from: isoDate,
    to: isoDate.meta({ description: "Exclusive" }),
    totals: usageTotalsSchema,
    by_provider: z.array(
      usageTotalsSchema.extend({
        provider: z.string(),
        error_rate: fraction("failed / requests"),
        cost_share: share,
      }),
    ),
    by_model: z.array(
      usageTotalsSchema.extend({
        provider: z.string(),
        model: z.string(),
        cost_share: share,
        avg_latency_ms: ms("Average latency of successful calls"),
      }),
    ),
    performance: z.object({
      avg_latency_ms: ms(
        "Average latency of successful calls (failures often fail fast and would flatter it)",
      ),
      p50_latency_ms: ms("Median, from the latency histogram (interpolated within its bucket)"),
      p95_latency_ms: ms("95th percentile, from the latency histogram"),
      max_latency_ms: ms("Slowest successful call"),
      avg_ttft_ms: ms("Average time to first token of successful streamed calls"),
      streamed_requests: count.meta({ description: "Successful streamed calls with a time to first token" }),
      error_rate: fraction("failed / requests"),
      error_rate_by_provider: z.array(
        z.object({
          provider: z.string(),
          requests: count,
          failed: count,
          error_rate: fraction("failed / requests"),
        }),
      ),
    }),
    previous_period: z.object({
      from: isoDate,
      to: isoDate,
      totals: usageTotalsSchema,
      change: z
        .object({
          requests: z.number().nullable(),
          total_tokens: z.number().nullable(),
          cost_usd: z.number().nullable(),
        })
        .meta({ description: "(this − previous) / previous; null when the previous period had none" }),
    }),
    group_by: z
      .enum(["tag", "key", "team", "model", "provider"])
      .optional()
      .meta({ description: "Only with group_by: the dimension of `groups`" }),
    groups: z
      .array(
        usageTotalsSchema.extend({
          group: z.string().nullable().meta({
            description:
              "The tag, key id, team id, provider or provider/model; null = calls without a tag, key or team",
          }),
          name: z.string().nullable().meta({ description: "The key's or team's name (null otherwise)" }),
          key_prefix: z.string().nullable().meta({ description: "key groups: the key's visible prefix" }),
          cost_share: share,
        }),
      )
      .optional()
      .meta({
        description:
          "Only with group_by: the biggest groups by cost (then calls), at most `limit`. Tag groups count a call with several tags fully in each, so they can add up to more than the totals.",
      }),
    other: usageTotalsSchema
      .extend({ groups: count.meta({ description: "How many groups are summed here" }), cost_share: share })
      .nullable()
      .optional()
      .meta({
        description:
          "Only with group_by: the groups past `limit`, summed as they are (for tags, a call in two of them counts twice here too); null when none were left out",
      }),
  })
  .meta({ id: "UsageSummary" });

export const usageChartSchema = z
  .object({
    type: z.enum(CHART_TYPES),
    granularity: z.enum(["hour", "day", "week", "month"]),
    group_by: z.enum(["none", "tag", "key", "team", "model", "provider"]),
    from: isoDate,
    to: isoDate,
    unit: z.string().meta({ description: "usd, requests, tokens or ms", example: "usd" }),
    labels: z.array(isoDate).meta({ description: "Start of each bucket, UTC" }),
    series: z.array(
      z.object({
        name: z.string().meta({
          description:
            "total; avg/p50/p95 for latency; else the provider, provider/model, key id, team id or tag; (untagged), (no key), (no team) for calls without one; (other) for the groups past `limit`, summed",
        }),
        data: z.array(z.number()).meta({
          description:
            "One value per label, 0 where nothing happened. Cost and savings: USD as numbers, for plotting; compute with data_exact",
        }),
        data_exact: z
          .array(usdExact)
          .optional()
          .meta({
            description:
              'Cost and savings charts only: the same points as exact decimal USD strings (one per label, "0" where nothing happened), the numeric sums of the request rows with no float step',
            example: ["0.0123", "0", "1.000002"],
          }),
        total_exact: usdExact.optional().meta({
          description:
            "Cost and savings charts only: the series' exact sum over the whole range (the sum of data_exact); for the ungrouped \"total\" series, the chart's total",
          example: "1.0123",
        }),
        group: z.string().nullable().optional().meta({
          description: "key, team and tag series: the key id, team id or tag (null: none, or other)",
        }),
        label: z
          .string()
          .nullable()
          .optional()
          .meta({ description: "key and team series: the key's or team's name" }),
      }),
    ),
  })
  .meta({ id: "UsageChart" });

export const requestListItemSchema = z
  .object({
    id: z.string(),
    created_at: isoDate,
    provider: z.string(),
    model: z.string(),
    endpoint: z.string().meta({
      description:
        "api (/api/chat/completions), v1 (OpenAI-compatible) or anthropic (Anthropic Messages API)",
    }),
    stream: z.boolean(),
    status: z.enum(["success", "error"]),
    http_status: z.number().int(),
    error_code: z.string().nullable(),
    api_key_id: z.string().nullable(),
    prompt_tokens: count,
    completion_tokens: count,
    cached_tokens: count,
    reasoning_tokens: count,
    total_tokens: count,
    total_cost: usd("Cost of the call"),
    total_cost_exact: usdExact,
    latency_ms: z.number().int(),
    ttft_ms: z.number().int().nullable(),
    cache_hit: z.boolean().meta({ description: "Answered from the response cache (cost 0)" }),
    saved_usd: usd("A cache hit's saving: what the call would have cost; null unless cache_hit").nullable(),
    saved_usd_exact: usdExact.nullable(),
    tags: z
      .array(z.string())
      .meta({ description: "The call's tags (x-llmg-tags, metadata.tags), lowercase" }),
    run_id: z.string().nullable().meta({ description: "The agent run of the call (x-llmg-run-id)" }),
  })
  .meta({ id: "RequestListItem" });

export const requestListSchema = z.object({
  success: z.literal(true),
  data: z.array(requestListItemSchema),
  pagination: paginationSchema.extend({
    next_cursor: z.string().nullable().meta({
      description: "Pass as `cursor` for the next page (constant time at any depth); null on the last page",
    }),
  }),
});

export const requestDetailSchema = requestListItemSchema
  .extend({
    credential_id: z.string().nullable(),
    error_message: z.string().nullable(),
    cache_write_tokens: count,
    usage_estimated: z.boolean().meta({ description: "The provider reported no usage; the gateway counted" }),
    prompt_cost: usd("Prompt part of the cost"),
    prompt_cost_exact: usdExact,
    completion_cost: usd("Completion part of the cost"),
    completion_cost_exact: usdExact,
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    run_budget_usd: z
      .string()
      .nullable()
      .meta({ description: "The run envelope sent with the call (x-llmg-run-budget-usd), exact decimal" }),
    request_body: z.unknown().meta({ description: "Only with LLMG_STORE_BODIES=true; else null" }),
    response_body: z.unknown().meta({ description: "Only with LLMG_STORE_BODIES=true; else null" }),
    attempt: z
      .number()
      .int()
      .meta({ description: "Which attempt of its call this row is (1 unless it fell back)" }),
    request_id: z
      .string()
      .nullable()
      .meta({ description: "The call this attempt belongs to, when the call could fall back" }),
    attempts: z
      .array(
        z.object({
          id: z.string(),
          attempt: z.number().int(),
          provider: z.string(),
          model: z.string(),
          status: z.enum(["success", "error"]),
          http_status: z.number().int(),
          error_code: z.string().nullable(),
          total_cost_exact: usdExact,
          latency_ms: z.number().int(),
        }),
      )
      .meta({
        description: "Every attempt of the call, in order (empty for a call that could not fall back)",
      }),
  })
  .meta({ id: "RequestDetail" });

export function toRequestListItem(row: HistoryRow): z.infer<typeof requestListItemSchema> {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    provider: row.provider,
    model: row.model,
    endpoint: row.endpoint,
    stream: row.stream,
    status: row.status,
    http_status: row.http_status,
    error_code: row.error_code,
    api_key_id: row.api_key_id,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    cached_tokens: row.cached_tokens,
    reasoning_tokens: row.reasoning_tokens,
    total_tokens: row.prompt_tokens + row.completion_tokens,
    total_cost: decimalToNumber(row.total_cost),
    total_cost_exact: normalizeDecimal(row.total_cost),
    latency_ms: row.latency_ms,
    ttft_ms: row.ttft_ms,
    cache_hit: row.cache_hit,
    saved_usd: row.saved_usd === null ? null : decimalToNumber(row.saved_usd),
    saved_usd_exact: row.saved_usd === null ? null : normalizeDecimal(row.saved_usd),
    tags: row.tags,
    run_id: row.run_id,
  };
}

export function toRequestDetail(
  row: RequestRow,
  attempts: readonly RequestRow[] = [],
): z.infer<typeof requestDetailSchema> {
  return {
    ...toRequestListItem({ ...row, sort_key: "" }),
    credential_id: row.credential_id,
    error_message: row.error_message,
    cache_write_tokens: row.cache_write_tokens,
    usage_estimated: row.usage_estimated,
    prompt_cost: decimalToNumber(row.prompt_cost),
    prompt_cost_exact: normalizeDecimal(row.prompt_cost),
    completion_cost: decimalToNumber(row.completion_cost),
    completion_cost_exact: normalizeDecimal(row.completion_cost),
    ip: row.ip,
    user_agent: row.user_agent,
    metadata: row.metadata,
    run_budget_usd: row.run_budget_usd === null ? null : normalizeDecimal(row.run_budget_usd),
    request_body: row.request_body ?? null,
    response_body: row.response_body ?? null,
    attempt: row.attempt,
    request_id: row.request_id,
    attempts: attempts.map((a) => ({
      id: a.id,
      attempt: a.attempt,
      provider: a.provider,
      model: a.model,
      status: a.status,
      http_status: a.http_status,
      error_code: a.error_code,
      total_cost_exact: normalizeDecimal(a.total_cost),
      latency_ms: a.latency_ms,
    })),
  };
}
