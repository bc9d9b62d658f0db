import type { RouterOutputs } from "@llmg/client";
import { usdCents, usdExact } from "../shared/format";

type TeamBudget = RouterOutputs["teams"]["budget"]["data"];

const STATUS_TEXT = { ok: "On track", warning: "Warning", exceeded: "Limit reached" } as const;

/** GET /api/teams/{id}/budget: every call that counted for the team this UTC month. */
export function TeamSpend({ budget }: { budget: TeamBudget }) {
  const percent = budget.percent_used === null ? null : Math.min(100, Math.max(0, budget.percent_used));
  return (
    <>
      <p className="big">
        <span data-testid="team-spent">{usdExact(budget.spent_usd_exact)}</span>
        <span className="muted">
          {" "}
          of {budget.limit_usd_exact === null ? "no limit" : usdExact(budget.limit_usd_exact)}
        </span>
        <span className={`status status-${budget.status}`}>{STATUS_TEXT[budget.status]}</span>
      </p>
      {percent !== null && (
        // biome-ignore lint/a11y/useSemanticElements: <meter> cannot be styled alike across browsers; the ARIA meter says the same
        <div
          className={`meter meter-${budget.status}`}
          role="meter"
          aria-label="Team budget used"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Number(percent.toFixed(1))}
          aria-valuetext={`${percent.toFixed(1)} % of the team's monthly limit`}
        >
          <div className="meter-fill" style={{ width: `${percent}%` }} />
        </div>
      )}
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
