import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useLocation, useSearchParams } from "wouter";
import { count, usdExact } from "../shared/format";
import { PageTitle } from "../shared/page-title";
import { QueryView } from "../shared/states";
import { useTRPC } from "../trpc";
import { GroupsTable } from "./groups-table";
import { DIMENSIONS, PERIODS, rangeOf, readDimension, readPeriod } from "./spend-params";

/** Where the money went: the period's spend grouped by tag, key, team, model or provider. */
export function SpendPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const [, navigate] = useLocation();
  const by = readDimension(params.get("by"));
  const period = readPeriod(params.get("period"));
  const byId = useId();
  const periodId = useId();
  const summary = useQuery(trpc.usage.summary.queryOptions({ ...rangeOf(period), group_by: by, limit: 50 }));

  // An absolute path ("~"): inside the page's nested route, wouter would write /spend/?…
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    navigate(`~/spend?${next}`);
  };

  return (
    <>
      <PageTitle>Spend</PageTitle>
      <form className="spend-filters" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={byId}>Group by</label>
        <select id={byId} value={by} onChange={(event) => set("by", event.target.value)}>
          {DIMENSIONS.map((d) => (
            <option key={d.value} value={d.value}>
              {d.label}
            </option>
          ))}
        </select>
        <label htmlFor={periodId}>Period</label>
        <select id={periodId} value={period} onChange={(event) => set("period", event.target.value)}>
          {PERIODS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </form>
      <section className="card" aria-labelledby={`${byId}-title`}>
        <h2 id={`${byId}-title`}>By {DIMENSIONS.find((d) => d.value === by)?.label.toLowerCase()}</h2>
        <QueryView query={summary}>
          {({ data }) => (
            <>
              <p className="spend-totals">
                <span>
                  Total <strong data-testid="spend-total">{usdExact(data.totals.cost_usd_exact)}</strong>
                </span>
                <span>{count(data.totals.requests)} requests</span>
                <span>
                  Saved by the response cache{" "}
                  <strong data-testid="spend-saved">{usdExact(data.totals.saved_usd_exact)}</strong> (
                  {count(data.totals.cache_hits)} hits)
                </span>
              </p>
              <GroupsTable by={by} summary={data} />
            </>
          )}
        </QueryView>
      </section>
    </>
  );
}
