import type { RouterOutputs } from "@llmg/client";
import { usdExact } from "../shared/format";

type Budget = RouterOutputs["budget"]["get"]["data"];

/** The month's recorded spend against the limit, as GET /api/budget has it (refetched after each answer). */
export function MonthSpend({ budget }: { budget: Budget }) {
  return (
    <p className="month-spend">
      <span data-testid="month-spent">{usdExact(budget.spent_usd_exact)}</span>{" "}
      <span className="muted">
        spent this month of {budget.limit_usd_exact === null ? "no limit" : usdExact(budget.limit_usd_exact)}
        {budget.mode === "hard" && budget.limit_usd_exact !== null ? " (calls past it are refused)" : ""}
      </span>
    </p>
  );
}
