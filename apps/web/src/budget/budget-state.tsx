import { usdCents, usdExact } from "../shared/format";
import type { Budget } from "./budget-types";

const STATUS_TEXT = { ok: "On track", warning: "Warning", exceeded: "Limit reached" } as const;

/** Where this month stands, as GET /api/budget says: exact spend, limit, status. */
export function BudgetState({ budget }: { budget: Budget }) {
  return (
    <div>
      <p className="big">
        <span data-testid="budget-spent">{usdExact(budget.spent_usd_exact)}</span>
        <span className="muted">
          {" "}
          of{" "}
          <span data-testid="budget-limit">
            {budget.limit_usd_exact === null ? "no limit" : usdExact(budget.limit_usd_exact)}
          </span>
        </span>
        <span className={`status status-${budget.status}`} data-testid="budget-status">
          {STATUS_TEXT[budget.status]}
        </span>
      </p>
      <dl className="facts">
        <div>
          <dt>Month</dt>
          <dd>{budget.period} (UTC)</dd>
        </div>
        <div>
          <dt>Remaining</dt>
          <dd>{budget.remaining_usd_exact === null ? "—" : usdExact(budget.remaining_usd_exact)}</dd>
        </div>
        <div>
          <dt>Held for calls in flight</dt>
          <dd>{usdExact(budget.reserved_usd_exact)}</dd>
        </div>
        <div>
          <dt>Used</dt>
          <dd>{budget.percent_used === null ? "—" : `${budget.percent_used.toFixed(1)} %`}</dd>
        </div>
        <div>
          <dt>Projected month end</dt>
          <dd>{usdCents(budget.projected_month_end_usd_exact)}</dd>
        </div>
        <div>
          <dt>Mode</dt>
          <dd data-testid="budget-mode">
            {budget.mode === "hard" ? "Hard: calls past the limit are refused" : "Soft: alerts only"}
          </dd>
        </div>
        <div>
          <dt>Alert thresholds</dt>
          <dd data-testid="budget-thresholds">
            {budget.thresholds.length === 0 ? "none" : budget.thresholds.map((t) => `${t} %`).join(", ")}
          </dd>
        </div>
        <div>
          <dt>Webhook</dt>
          <dd className="wrap-anywhere">
            {budget.webhook_url ?? "none"}
            {budget.webhook_url && !budget.webhook_secret_set ? " (no signing secret)" : ""}
          </dd>
        </div>
      </dl>
      {budget.alerts.length > 0 && (
        <ul className="alerts" aria-label="Alerts fired this month">
          {budget.alerts.map((alert) => (
            <li key={alert.id}>
              {alert.kind === "threshold"
                ? `${alert.threshold_percent} % of the limit reached`
                : "Projected to exceed the limit"}{" "}
              at {usdExact(alert.spent_usd_exact)}{" "}
              <span className="muted">({new Date(alert.fired_at).toLocaleString()})</span>
              {alert.webhook && <span className="muted"> — webhook {alert.webhook.status}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
