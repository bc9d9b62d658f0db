import type { RouterOutputs } from "@llmg/client";
import { usdCents, usdExact } from "../shared/format";

type Budget = RouterOutputs["budget"]["get"]["data"];

const STATUS_TEXT = { ok: "On track", warning: "Warning", exceeded: "Limit reached" } as const;

/** Spend against the limit as a meter, with the month-end projection and the alerts fired. */
export function BudgetPanel({ budget }: { budget: Budget }) {
  const percent = budget.percent_used === null ? null : Math.min(100, Math.max(0, budget.percent_used));
  return (
    <div className="budget">
      <p className="big">
        <span data-testid="spent">{usdExact(budget.spent_usd_exact)}</span>
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
          aria-label="Budget used"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Number(percent.toFixed(1))}
          aria-valuetext={`${percent.toFixed(1)} % of the monthly limit`}
        >
          <div className="meter-fill" style={{ width: `${percent}%` }} />
        </div>
      )}
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
