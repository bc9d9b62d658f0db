import { useQuery } from "@tanstack/react-query";
import { ErrorNote } from "../shared/errors";
import { PageTitle } from "../shared/page-title";
import { useTRPC } from "../trpc";
import { BudgetPanel } from "./budget-panel";
import { CostPerDayChart } from "./cost-per-day-chart";
import { overviewQueries } from "./overview-queries";
import { StatTiles } from "./stat-tiles";
import { TopModels } from "./top-models";

/** This month at a glance. */
export function OverviewPage() {
  const trpc = useTRPC();
  const queries = overviewQueries(trpc);
  const budget = useQuery(queries.budget);
  const summary = useQuery(queries.summary);
  const chart = useQuery(queries.chart);

  return (
    <>
      <PageTitle>Overview</PageTitle>
      <section aria-labelledby="budget-title" className="card">
        <h2 id="budget-title">Spend this month</h2>
        {budget.isPending ? (
          <Loading />
        ) : budget.isError ? (
          <ErrorNote error={budget.error} onRetry={() => void budget.refetch()} />
        ) : (
          <BudgetPanel budget={budget.data.data} />
        )}
      </section>

      <section aria-labelledby="stats-title" className="card">
        <h2 id="stats-title">Calls this month</h2>
        {summary.isPending ? (
          <Loading />
        ) : summary.isError ? (
          <ErrorNote error={summary.error} onRetry={() => void summary.refetch()} />
        ) : (
          <StatTiles summary={summary.data.data} />
        )}
      </section>

      <div className="two-columns">
        <section aria-labelledby="chart-title" className="card">
          <h2 id="chart-title">Cost per day, by provider</h2>
          {chart.isPending ? (
            <Loading />
          ) : chart.isError ? (
            <ErrorNote error={chart.error} onRetry={() => void chart.refetch()} />
          ) : (
            <CostPerDayChart chart={chart.data.data} />
          )}
        </section>

        <section aria-labelledby="models-title" className="card">
          <h2 id="models-title">Top models by cost</h2>
          {summary.isPending ? (
            <Loading />
          ) : summary.isError ? (
            <ErrorNote error={summary.error} />
          ) : (
            <TopModels summary={summary.data.data} />
          )}
        </section>
      </div>
    </>
  );
}

function Loading() {
  return (
    <p className="muted" aria-busy="true">
      Loading…
    </p>
  );
}
