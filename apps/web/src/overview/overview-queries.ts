import type { AppRouter } from "@llmg/client";
import type { TRPCOptionsProxy } from "@trpc/tanstack-react-query";

/**
 * The Overview's three queries, in a file of their own (no charting code) so the app can start
 * them together with the session check on a first load, before the page's chunk has arrived:
 * one batched round trip instead of three in a row.
 */
export function overviewQueries(trpc: TRPCOptionsProxy<AppRouter>) {
  return {
    budget: trpc.budget.get.queryOptions({}),
    // Without from/to the API answers for this month so far (UTC).
    summary: trpc.usage.summary.queryOptions({}),
    chart: trpc.usage.charts.queryOptions({ type: "cost", granularity: "day", group_by: "provider" }),
  };
}
