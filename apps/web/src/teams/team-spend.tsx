import type { RouterOutputs } from "@llmg/client";
import { usdCents, usdExact } from "../shared/format";
import { SpendMeter } from "../shared/spend-meter";

type TeamBudget = RouterOutputs["teams"]["budget"]["data"];

/** GET /api/teams/{id}/budget: every call that counted for the team this UTC month. */
export function TeamSpend({ budget }: { budget: TeamBudget }) {
  return (
    <>
      <SpendMeter
        spentExact={budget.spent_usd_exact}
        limitExact={budget.limit_usd_exact}
        status={budget.status}
        percentUsed={budget.percent_used}
        label="Team budget used"
        limitName="the team's monthly limit"
        testId="team-spent"
      />
      <dl className="facts">
        <div>
          <dt>Remaining</dt>
          <dd data-testid="team-remaining">
            {budget.remaining_usd_exact === null ? "—" : usdExact(budget.remaining_usd_exact)}
          </dd>
        </div>
        <div>
          <dt>Held for calls in flight</dt>
          <dd>{usdExact(budget.reserved_usd_exact)}</dd>
        </div>
        <div>
          <dt>Projected month end</dt>
          <dd>{usdCents(budget.projected_month_end_usd_exact)}</dd>
        </div>
        <div>
          <dt>Alerts at</dt>
          <dd>{budget.thresholds.map((p) => `${p} %`).join(", ")}</dd>
        </div>
      </dl>
      <p className="muted small">
        Calls count for the team when made with a member's key that names the team.
      </p>
    </>
  );
}
