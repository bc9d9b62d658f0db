import type { RouterOutputs } from "@llmg/client";
import { count, usdExact } from "../shared/format";
import { when } from "../shared/settings-form";

type Account = RouterOutputs["account"]["get"]["data"];

/** GET /api/account as it answers: identity, plan limits, what is set up, this month's spend. */
export function AccountDetails({ account }: { account: Account }) {
  const { limits, this_month: month } = account;
  return (
    <dl className="facts" data-testid="account-details">
      <div>
        <dt>Email</dt>
        <dd className="wrap-anywhere">{account.email}</dd>
      </div>
      <div>
        <dt>Name</dt>
        <dd>{account.name ?? "—"}</dd>
      </div>
      <div>
        <dt>User id</dt>
        <dd className="wrap-anywhere">
          <code>{account.id}</code>
        </dd>
      </div>
      <div>
        <dt>Member since</dt>
        <dd>{when(account.created_at)}</dd>
      </div>
      <div>
        <dt>Monthly budget</dt>
        <dd>
          {limits.monthly_budget_usd_exact === null ? "unlimited" : usdExact(limits.monthly_budget_usd_exact)}
        </dd>
      </div>
      <div>
        <dt>Requests per minute</dt>
        <dd>{limits.rate_limit_rpm === null ? "no limit" : count(limits.rate_limit_rpm)}</dd>
      </div>
      <div>
        <dt>Tokens per minute</dt>
        <dd>{limits.rate_limit_tpm === null ? "no limit" : count(limits.rate_limit_tpm)}</dd>
      </div>
      <div>
        <dt>API keys</dt>
        <dd data-testid="account-keys">{count(account.keys_count)}</dd>
      </div>
      <div>
        <dt>Provider credentials</dt>
        <dd data-testid="account-credentials">{count(account.credentials_count)}</dd>
      </div>
      <div>
        <dt>Requests in {month.period}</dt>
        <dd>{count(month.requests)}</dd>
      </div>
      <div>
        <dt>Spent in {month.period}</dt>
        <dd data-testid="account-spent">{usdExact(month.cost_usd_exact)}</dd>
      </div>
    </dl>
  );
}
