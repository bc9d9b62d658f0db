import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { ErrorNote } from "../shared/errors";
import { Loading } from "../shared/states";
import { useTRPC } from "../trpc";
import { type Chart, type ChartType, seriesTotals, totalFigure } from "./chart-data";
import { UsageChart } from "./usage-chart";
import type { UsageView } from "./usage-params";

export const CHARTS: { type: ChartType; title: string; totalHeading: string }[] = [
  { type: "cost", title: "Cost", totalHeading: "Total cost" },
  { type: "requests", title: "Requests", totalHeading: "Requests" },
  { type: "tokens", title: "Tokens (prompt + completion)", totalHeading: "Tokens" },
  { type: "latency", title: "Latency of successful calls", totalHeading: "Highest bucket" },
];

/**
 * One measure over the view's range: its chart, and each series' figure below (costs as the
 * API's exact sums).
 */
export function ChartCard({
  type,
  title,
  totalHeading,
  view,
}: (typeof CHARTS)[number] & { view: UsageView }) {
  const trpc = useTRPC();
  // Latency's percentiles are per bucket over all calls; they are not split by group.
  const groupBy = type === "latency" ? "none" : view.split;
  const query = useQuery({
    ...trpc.usage.charts.queryOptions({
      type,
      granularity: view.granularity,
      group_by: groupBy,
      from: view.from,
      to: view.to,
      ...(view.provider ? { provider: view.provider } : {}),
      ...(view.model ? { model: view.model } : {}),
    }),
    // The old chart stays while a changed filter loads, instead of a jump to "Loading…".
    placeholderData: keepPreviousData,
  });
  const id = `chart-${type}`;
  return (
    <section className="card" aria-labelledby={id} data-testid={id} aria-busy={query.isFetching}>
      <h2 id={id}>{title}</h2>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorNote error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <ChartBody chart={query.data.data} title={title} totalHeading={totalHeading} />
      )}
    </section>
  );
}

function ChartBody({ chart, title, totalHeading }: { chart: Chart; title: string; totalHeading: string }) {
  const totals = useMemo(() => seriesTotals(chart), [chart]);
  if (totals.every((t) => t.value === 0)) return <p className="muted empty">No calls in this range.</p>;
  return (
    <>
      <UsageChart chart={chart} title={`${title}, per ${chart.granularity}`} />
      <div className="table-wrap clip-wrap">
        <table className="table usage-totals">
          <caption className="visually-hidden">
            {title}: {totalHeading.toLowerCase()} per series
          </caption>
          <thead>
            <tr>
              <th scope="col">Series</th>
              <th scope="col" className="num">
                {totalHeading}
              </th>
            </tr>
          </thead>
          <tbody>
            {totals.map((t) => (
              <tr key={t.name}>
                <th scope="row">{t.name}</th>
                <td className="num" data-testid={`total-${chart.type}-${t.name}`}>
                  {totalFigure(chart.type, t)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
