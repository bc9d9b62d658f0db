import { useQuery } from "@tanstack/react-query";
import { PageTitle } from "../shared/page-title";
import { Loaded } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { BudgetHistory } from "./budget-history";
import { BudgetSettingsForm } from "./budget-settings-form";
import { BudgetState } from "./budget-state";
import { TagBudgets } from "./tag-budgets";

/** This month's budget: where it stands, the months before, its settings, and the budgets of tags. */
export function BudgetPage() {
  const trpc = useTRPC();
  const budget = useQuery(trpc.budget.get.queryOptions({}));
  return (
    <>
      <PageTitle>Budget</PageTitle>
      <section aria-labelledby="budget-state-title" className="card">
        <h2 id="budget-state-title">This month</h2>
        <Loaded query={budget}>{(answer) => <BudgetState budget={answer.data} />}</Loaded>
      </section>
      <section aria-labelledby="budget-history-title" className="card" data-testid="budget-history">
        <h2 id="budget-history-title">History</h2>
        <BudgetHistory />
      </section>
      <section aria-labelledby="budget-settings-title" className="card">
        <h2 id="budget-settings-title">Settings</h2>
        <Loaded query={budget}>{(answer) => <BudgetSettingsForm budget={answer.data} />}</Loaded>
      </section>
      <section aria-labelledby="tag-budgets-title" className="card">
        <h2 id="tag-budgets-title">Tag budgets</h2>
        <TagBudgets />
      </section>
    </>
  );
}
