import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { count } from "../shared/format";
import { TableScroll, when } from "../shared/settings-form";
import { Empty, Loading } from "../shared/states";
import { useTRPC } from "../trpc";

const PAGE_SIZES = [10, 20, 50, 100] as const;

/** What was done on the account, newest first, a page at a time, optionally one action only. */
export function ActivityLog() {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState<number>(20);
  // Entries the user made themselves say "you" rather than their own id.
  const session = useQuery(trpc.session.get.queryOptions({}));
  const myId = session.data?.data.user?.id;
  const [action, setAction] = useState("");
  const [filter, setFilter] = useState("");
  const activity = useQuery({
    ...trpc.account.activity.queryOptions({
      page,
      per_page: perPage,
      ...(action !== "" ? { action } : {}),
    }),
    // The current page stays on screen while the next loads, so the pager does not jump.
    placeholderData: keepPreviousData,
  });

  function applyFilter(event: FormEvent) {
    event.preventDefault();
    setPage(1);
    setAction(filter.trim());
  }

  return (
    <>
      <form className="settings-form" onSubmit={applyFilter} aria-label="Filter the activity log">
        <div className="form-grid">
          <div className="field">
            <label htmlFor="activity-action">Action</label>
            <input
              id="activity-action"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder="e.g. api_key.create"
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor="activity-per-page">Entries per page</label>
            <select
              id="activity-per-page"
              value={perPage}
              onChange={(e) => {
                setPerPage(Number(e.target.value));
                setPage(1);
              }}
            >
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="secondary">
            Filter
          </button>
        </div>
      </form>
      {activity.isPending ? (
        <Loading />
      ) : activity.isError ? (
        <ErrorNote error={activity.error} onRetry={() => void activity.refetch()} />
      ) : activity.data.data.length === 0 ? (
        <Empty>{action ? `No "${action}" entries.` : "Nothing has happened on this account yet."}</Empty>
      ) : (
        <>
          <TableScroll label="Activity log">
            <table className="table" aria-busy={activity.isFetching}>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">By</th>
                  <th scope="col">Target</th>
                  <th scope="col">From</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {activity.data.data.map((entry) => (
                  <tr key={entry.id} data-testid={`activity-${entry.id}`}>
                    <td className="nowrap">{when(entry.created_at)}</td>
                    <th scope="row" data-field="action" className="nowrap">
                      {entry.action}
                    </th>
                    <td className="wrap-anywhere" data-field="actor">
                      {entry.actor === myId ? "you" : entry.actor}
                    </td>
                    <td className="wrap-anywhere">
                      {entry.target_type ? `${entry.target_type} ${entry.target_id ?? ""}` : "—"}
                    </td>
                    <td>{entry.ip ?? "—"}</td>
                    <td className="details-cell">
                      {entry.details ? <code>{JSON.stringify(entry.details)}</code> : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <nav className="pager" aria-label="Activity pages">
            <button
              type="button"
              className="secondary"
              disabled={page <= 1}
              onClick={() => setPage((p) => Math.max(1, p - 1))}
            >
              Newer
            </button>
            <span data-testid="activity-page">
              Page {activity.data.pagination.page} of {Math.max(1, activity.data.pagination.total_pages)} ·{" "}
              {count(activity.data.pagination.total)} entries
            </span>
            <button
              type="button"
              className="secondary"
              disabled={page >= activity.data.pagination.total_pages}
              onClick={() => setPage((p) => p + 1)}
            >
              Older
            </button>
          </nav>
        </>
      )}
    </>
  );
}
