import type { RouterOutputs } from "@llmg/client";
import { usdCents, usdExact } from "../shared/format";
import { SpendMeter } from "../shared/spend-meter";

type Budget = RouterOutputs["budget"]["get"]["data"];

/** Spend against the limit as a meter, with the month-end projection and the alerts fired. */
export function BudgetPanel({ budget }: { budget: Budget }) {
  return (
    <div className="budget">
      <SpendMeter
        spentExact={budget.spent_usd_exact}
        limitExact={budget.limit_usd_exact}
        status={budget.status}
        percentUsed={budget.percent_used}
        label="Budget used"
        limitName="the monthly limit"
        testId="spent"
      />
      <dl className="facts">
        <div>
          <dt>Projected month end</dt>
          <dd data-testid="projected">{usdCents(budget.projected_month_end_usd_exact)}</dd>
        </div>
        <div>
          <dt>Limit reached on</dt>
          <dd>{budget.projected_exhaustion_date ?? "not this month"}</dd>
        </div>
        <div>
          <dt>Held for calls in flight</dt>
          <dd>{usdExact(budget.reserved_usd_exact)}</dd>
        </div>
        <div>
          <dt>Days left</dt>
          <dd>{budget.days_left}</dd>
        </div>
      </dl>
      {budget.alerts.length > 0 && (
        <ul className="alerts" aria-label="Alerts fired this month">
          {budget.alerts.map((alert) => (
            <li key={alert.id}>
              {alert.kind === "threshold"
                ? `${alert.threshold_percent} % of the limit reached`
                : "Projected to exceed the limit"}{" "}
              <span className="muted">({new Date(alert.fired_at).toLocaleString()})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
