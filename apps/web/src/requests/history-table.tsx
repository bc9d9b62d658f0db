import type { RouterOutputs } from "@llmg/client";
import { Link } from "wouter";
import { count, ms, usdExact } from "../shared/format";
import { type HistoryView, listHref, SORTS, type SortId, writeHistoryView } from "./requests-params";

type Row = RouterOutputs["usage"]["requests"]["data"][number];

export function when(iso: string): string {
  return new Date(iso).toLocaleString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
    timeZone: "UTC",
  });
}

/** A column heading that sorts by it: a link, so the sort is in the URL like everything else. */
function SortHeading({ id, view, numeric }: { id: SortId; view: HistoryView; numeric?: boolean }) {
  const label = SORTS.find((s) => s.id === id)?.label ?? id;
  const active = view.sort === id;
  // Clicking the current column flips the order; another column starts with the largest/newest.
  const order = active && view.order === "desc" ? "asc" : "desc";
  const { cursor: _drop, ...rest } = view;
  const href = listHref({ ...rest, sort: id, order, page: 1 });
  return (
    <th
      scope="col"
      className={numeric ? "num" : undefined}
      aria-sort={active ? (view.order === "asc" ? "ascending" : "descending") : "none"}
    >
      <Link href={href} className="sort-link">
        {label}
        <span aria-hidden="true">{active ? (view.order === "asc" ? " ▲" : " ▼") : ""}</span>
        <span className="visually-hidden">
          {active ? `, sorted ${view.order === "asc" ? "ascending" : "descending"}` : ""}; sort{" "}
          {order === "asc" ? "ascending" : "descending"}
        </span>
      </Link>
    </th>
  );
}

export function HistoryTable({ rows, view }: { rows: Row[]; view: HistoryView }) {
  const back = writeHistoryView(view);
  return (
    <div className="table-wrap clip-wrap">
      <table className="table requests-table">
        <caption className="visually-hidden">Your calls, one per row</caption>
        <thead>
          <tr>
            <SortHeading id="created_at" view={view} />
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <SortHeading id="total_tokens" view={view} numeric />
            <SortHeading id="cost" view={view} numeric />
            <SortHeading id="latency" view={view} numeric />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid={`request-${r.id}`}>
              <td className="nowrap">
                <Link href={`~/requests/${encodeURIComponent(r.id)}${back ? `?${back}` : ""}`}>
                  {when(r.created_at)}
                  <span className="visually-hidden"> (details)</span>
                </Link>
              </td>
              <th scope="row">
                <span className="muted">{r.provider}/</span>
                {r.model}
                {r.cache_hit && <span className="tag">cache</span>}
              </th>
              <td>
                <span className={`status status-${r.status === "success" ? "ok" : "exceeded"}`}>
                  {r.status === "success" ? "Success" : `Error ${r.http_status}`}
                </span>
              </td>
              <td className="num" data-testid="tokens">
                {count(r.total_tokens)}
              </td>
              <td className="num" data-testid="cost">
                {usdExact(r.total_cost_exact)}
              </td>
              <td className="num">{ms(r.latency_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
