import { useQuery } from "@tanstack/react-query";
import { usdExact } from "../shared/format";
import { useTRPC } from "../trpc";
import type { ApiKey } from "./key-types";

const PERIOD_TEXT = { day: "day", month: "month", total: "total" } as const;

/** The key's own budget and, from GET /api/keys/{id}, what it has spent of it this period. */
export function KeyBudgetCell({ apiKey }: { apiKey: ApiKey }) {
  const trpc = useTRPC();
  const hasBudget = apiKey.budget_usd !== null;
  const detail = useQuery({ ...trpc.keys.get.queryOptions({ id: apiKey.id }), enabled: hasBudget });
  if (apiKey.budget_usd === null) return <span className="muted">none</span>;
  const period = apiKey.budget_period ? PERIOD_TEXT[apiKey.budget_period] : "month";
  const budget = detail.data?.data.budget;
  return (
    <span>
      {usdExact(apiKey.budget_usd)} / {period}
      {budget ? (
        <span className="muted small block">{usdExact(budget.spent_usd_exact)} spent</span>
      ) : detail.isError ? (
        <span className="muted small block">spend unavailable</span>
      ) : null}
    </span>
  );
}
