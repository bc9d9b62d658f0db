import { Link } from "wouter";
import { type HistoryView, listHref } from "./requests-params";

interface Pagination {
  page: number;
  total: number;
  total_pages: number;
  next_cursor: string | null;
}

/** Page numbers around the current one, with the first and last always reachable. */
function pageNumbers(current: number, last: number): (number | "gap")[] {
  const wanted = new Set([1, last, current - 2, current - 1, current, current + 1, current + 2]);
  const pages = [...wanted].filter((p) => p >= 1 && p <= last).sort((a, b) => a - b);
  const out: (number | "gap")[] = [];
  for (const p of pages) {
    const prev = out[out.length - 1];
    if (typeof prev === "number" && p - prev > 1) out.push("gap");
    out.push(p);
  }
  return out;
}

/**
 * Numbered pages jump anywhere (the API skips index entries); Next follows the API's cursor,
 * which continues in constant time however deep the list is.
 */
export function Pager({ view, pagination }: { view: HistoryView; pagination: Pagination }) {
  const { cursor: _drop, ...base } = view;
  const at = (page: number) => listHref({ ...base, page });
  const last = Math.max(1, pagination.total_pages);
  const current = pagination.page;
  return (
    <nav className="pager" aria-label="Pages of requests">
      <p className="muted small" data-testid="page-status">
        Page {current} of {last} · {pagination.total.toLocaleString("en-US")} requests
      </p>
      <ul>
        <li>
          {current > 1 ? (
            <Link href={at(current - 1)} rel="prev">
              Previous
            </Link>
          ) : (
            <span className="muted">Previous</span>
          )}
        </li>
        {pageNumbers(current, last).map((p, i) =>
          p === "gap" ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: a gap has no identity but its place
            <li key={`gap-${i}`} aria-hidden="true">
              …
            </li>
          ) : (
            <li key={p}>
              <Link href={at(p)} aria-label={`Page ${p}`} aria-current={p === current ? "page" : undefined}>
                {p}
              </Link>
            </li>
          ),
        )}
        <li>
          {pagination.next_cursor ? (
            <Link href={listHref({ ...base, page: current + 1, cursor: pagination.next_cursor })} rel="next">
              Next
            </Link>
          ) : (
            <span className="muted">Next</span>
          )}
        </li>
      </ul>
    </nav>
  );
}
