import { findRequest, listAttempts, runTotals } from "@llmg/db";
import { z } from "zod";
import { usageChart } from "../analytics/charts";
import { DEFAULT_GROUP_LIMIT, MAX_GROUP_LIMIT } from "../analytics/groups";
import { requestHistory } from "../analytics/history";
import { resolveWindow } from "../analytics/range";
import { usageSummary } from "../analytics/summary";
import { ok } from "../envelope";
import { notFound } from "../errors";
import { text } from "../schemas/common";
import {
  requestDetailSchema,
  requestListSchema,
  toRequestDetail,
  toRequestListItem,
  usageChartSchema,
  usageSummarySchema,
} from "../schemas/usage";
import { chartsInput, historyInput, summaryInput } from "../schemas/usage-inputs";
import { runInput, runSchema, toRunTotals } from "../schemas/usage-runs";
import { router, userProcedure } from "../trpc";

const FRESHNESS =
  "Read from the hourly and daily rollups for closed buckets plus the request rows the last rollup run has not seen, so answers are current to the last recorded call.";

const GROUPS = `group_by=tag|key|team|model|provider splits the answer per group, your own calls only (a team group holds only your calls that counted for the team). A call with several tags counts fully in each tag's group, so tag groups can add up to more than the totals; calls without a tag (key, team) form one group of their own, null (in charts: "(untagged)", "(no key)", "(no team)"). The ${DEFAULT_GROUP_LIMIT} biggest groups (summary: by cost; charts: by the charted measure) are listed (limit, at most ${MAX_GROUP_LIMIT}); the rest are summed into one "other" entry (in charts: the "(other)" series). Costs are exact numeric sums, the same as summing the request rows.`;

export const usageRouter = router({
  summary: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/usage/summary",
        tags: ["usage"],
        summary: "Usage summary",
        description: `Totals, breakdowns by provider and model, performance, and the previous period of equal length. Without from/to: this month so far (UTC). ${GROUPS} ${FRESHNESS}`,
        protect: true,
      },
    })
    .input(summaryInput)
    .output(ok(usageSummarySchema))
    .query(async ({ ctx, input }) => {
      const window = resolveWindow(input, Date.now());
      const grouping = input.group_by
        ? { dimension: input.group_by, limit: input.limit ?? DEFAULT_GROUP_LIMIT }
        : undefined;
      return {
        success: true as const,
        data: await usageSummary(ctx.services.db, ctx.user.userId, window, grouping),
      };
    }),

  charts: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/usage/charts",
        tags: ["usage"],
        summary: "Chart data",
        description: `Chart-ready series over UTC buckets, every bucket present (0 when empty). Without from/to: this month so far. Cost and savings series also carry data_exact (each point) and total_exact (the series' sum) as exact decimal strings: data holds the same as numbers, for plotting. ${GROUPS} ${FRESHNESS}`,
        protect: true,
      },
    })
    .input(chartsInput)
    .output(ok(usageChartSchema))
    .query(async ({ ctx, input }) => {
      const window = resolveWindow(input, Date.now());
      const data = await usageChart(ctx.services.db, ctx.user.userId, window, {
        type: input.type,
        granularity: input.granularity,
        groupBy: input.group_by,
        limit: input.limit ?? DEFAULT_GROUP_LIMIT,
        provider: input.provider,
        model: input.model,
      });
      return { success: true as const, data };
    }),

  requests: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/usage/requests",
        tags: ["usage"],
        summary: "Request history",
        description:
          "Your calls, newest first by default. Pages are read by keyset through an index: `page` finds the page's first row by skipping index entries only, and `cursor` (pagination.next_cursor) continues after the previous page in constant time at any depth. The total comes from the rollups unless min_cost, api_key_id, tag or run_id is given.",
        protect: true,
      },
    })
    .input(historyInput)
    .output(requestListSchema)
    .query(async ({ ctx, input }) => {
      const result = await requestHistory(ctx.services.db, ctx.user.userId, {
        filters: {
          provider: input.provider,
          model: input.model,
          status: input.status,
          from: input.from,
          to: input.to,
          minCost: input.min_cost,
          apiKeyId: input.api_key_id,
          tag: input.tag,
          runId: input.run_id,
        },
        sort: input.sort,
        order: input.order,
        page: input.page,
        perPage: input.per_page,
        cursor: input.cursor,
      });
      return {
        success: true as const,
        data: result.rows.map(toRequestListItem),
        pagination: {
          page: result.page,
          per_page: input.per_page,
          total: result.total,
          total_pages: Math.ceil(result.total / input.per_page),
          next_cursor: result.nextCursor,
        },
      };
    }),

  run: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/usage/runs/{runId}",
        tags: ["usage"],
        summary: "One agent run",
        description:
          "Your calls sent with `x-llmg-run-id: {runId}` (oldest first by default, paged like GET /usage/requests) and the run's totals: calls, status counts, tokens, exact cost, first and last call. A run is yours alone: 404 when you have no call in it, even if another user used the same id.",
        protect: true,
      },
    })
    .input(runInput)
    .output(runSchema)
    .query(async ({ ctx, input }) => {
      const { db } = ctx.services;
      const totals = await runTotals(db, ctx.user.userId, input.runId);
      if (!totals) throw notFound("Run");
      const result = await requestHistory(db, ctx.user.userId, {
        filters: { runId: input.runId },
        sort: "created_at",
        order: input.order,
        page: input.page,
        perPage: input.per_page,
        cursor: input.cursor,
      });
      return {
        success: true as const,
        run_id: input.runId,
        totals: toRunTotals(totals),
        data: result.rows.map(toRequestListItem),
        pagination: {
          page: result.page,
          per_page: input.per_page,
          total: result.total,
          total_pages: Math.ceil(result.total / input.per_page),
          next_cursor: result.nextCursor,
        },
      };
    }),

  request: userProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/usage/requests/{id}",
        tags: ["usage"],
        summary: "One request",
        description: "Every recorded field of one of your calls. Another user's request answers 404.",
        protect: true,
      },
    })
    .input(z.object({ id: text().trim().min(1).max(200) }))
    .output(ok(requestDetailSchema))
    .query(async ({ ctx, input }) => {
      const row = await findRequest(ctx.services.db, ctx.user.userId, input.id);
      if (!row) throw notFound("Request");
      // A call that could fall back lists its attempts, whichever of them was asked for.
      const attempts = row.request_id
        ? await listAttempts(ctx.services.db, ctx.user.userId, row.request_id)
        : [];
      return { success: true as const, data: toRequestDetail(row, attempts) };
    }),
});
