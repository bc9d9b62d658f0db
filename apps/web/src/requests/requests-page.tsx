import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link, Route, Switch, useLocation, useParams, useSearch } from "wouter";
import { ErrorNote } from "../shared/errors";
import { PageTitle } from "../shared/page-title";
import { Empty, Loading } from "../shared/states";
import { useTRPC } from "../trpc";
import { HistoryFilters } from "./history-filters";
import { HistoryTable } from "./history-table";
import { Pager } from "./pager";
import { RequestDetail } from "./request-detail";
import { listHref, readHistoryView, toInput, writeHistoryView } from "./requests-params";

/** The call history (/requests) and one call's detail (/requests/:id). */
export function RequestsPage() {
  return (
    <Switch>
      <Route path="/:id">
        <DetailRoute />
      </Route>
      <Route>
        <HistoryList />
      </Route>
    </Switch>
  );
}

function DetailRoute() {
  const { id } = useParams<{ id: string }>();
  return <RequestDetail id={decodeURIComponent(id)} />;
}

function HistoryList() {
  const trpc = useTRPC();
  const search = useSearch();
  const [, navigate] = useLocation();
  const view = useMemo(() => readHistoryView(new URLSearchParams(search)), [search]);
  const providers = useQuery(trpc.providers.list.queryOptions({}));
  const list = useQuery({
    ...trpc.usage.requests.queryOptions(toInput(view)),
    placeholderData: keepPreviousData,
  });
  const filtered = Boolean(view.provider || view.model || view.tag || view.status || view.from || view.to);

  return (
    <>
      <PageTitle>Requests</PageTitle>
      <HistoryFilters
        // Fresh fields when the URL's filters change (back/forward, Clear).
        key={writeHistoryView({ ...view, page: 1, cursor: undefined })}
        view={view}
        providers={providers.data?.data ?? []}
        onApply={(next) => navigate(listHref(next))}
      />
      <section className="card" aria-labelledby="history-title" aria-busy={list.isFetching}>
        <h2 id="history-title">History</h2>
        {list.isPending ? (
          <Loading />
        ) : list.isError ? (
          <>
            <ErrorNote error={list.error} onRetry={() => void list.refetch()} />
            {view.cursor && (
              // A cursor only continues the list it came from; the page number alone still works.
              <p>
                <Link href={listHref({ ...view, cursor: undefined })}>
                  Open page {view.page} without the cursor
                </Link>
              </p>
            )}
          </>
        ) : list.data.data.length === 0 ? (
          <Empty>{filtered ? "No request matches these filters." : "No requests yet."}</Empty>
        ) : (
          <>
            <HistoryTable rows={list.data.data} view={view} />
            <Pager view={view} pagination={list.data.pagination} />
          </>
        )}
      </section>
    </>
  );
}
