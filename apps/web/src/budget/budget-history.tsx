import { useQuery } from "@tanstack/react-query";
import { Loaded, TableScroll } from "../shared/settings-form";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import { BudgetHistoryChart } from "./budget-history-chart";
import { HISTORY_MONTHS, hasSpend, historyFigures } from "./budget-history-data";
import type { HistoryPoint } from "./budget-types";

const LABEL = `Spend per month over the last ${HISTORY_MONTHS} months, with the monthly limit in force`;

/** GET /api/budget/history by month: a chart, and its exact figures in a table below it. */
export function BudgetHistory() {
  const trpc = useTRPC();
  const history = useQuery(
    trpc.budget.history.queryOptions({ months: HISTORY_MONTHS, granularity: "month" }),
  );
  return (
    <Loaded query={history}>
      {(answer) =>
        hasSpend(answer.data.points) ? (
          <HistoryBody points={answer.data.points} />
        ) : (
          <Empty>No calls in the last {HISTORY_MONTHS} months.</Empty>
        )
      }
    </Loaded>
  );
}

function HistoryBody({ points }: { points: HistoryPoint[] }) {
  return (
    <>
      <BudgetHistoryChart points={points} label={LABEL} />
      <TableScroll label="Budget history figures">
        <table className="table">
          <caption className="visually-hidden">{LABEL}: the figures</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col" className="num">
                Spent
              </th>
              <th scope="col" className="num">
                Calls
              </th>
              <th scope="col" className="num">
                Limit
              </th>
              <th scope="col" className="num">
                Of limit
              </th>
            </tr>
          </thead>
          <tbody>
            {/* Newest first: the month that matters now leads the table. */}
            {[...points].reverse().map((p) => {
              const f = historyFigures(p);
              return (
                <tr key={p.period} data-testid={`history-${p.period}`}>
                  <th scope="row" className="budget-month">
                    {f.month}
                  </th>
                  <td className="num" data-field="spent">
                    {f.spent}
                  </td>
                  <td className="num" data-field="requests">
                    {f.requests}
                  </td>
                  <td className="num" data-field="limit">
                    {f.limit}
                  </td>
                  <td className="num" data-field="percent">
                    {f.percent}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
