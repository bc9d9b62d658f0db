import type { RouterOutputs } from "@llmg/client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { count } from "../shared/format";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import { CAPABILITY_FILTERS } from "./capabilities";
import { CatalogFilterBar } from "./catalog-filters";
import { CatalogTable } from "./catalog-table";
import { QueryState } from "./query-state";
import { listInput, useCatalogFilters } from "./use-catalog-filters";

type Provider = RouterOutputs["providers"]["list"]["data"][number];

/** The catalog, filtered by the URL's filters, a page at a time. */
export function CatalogSection({
  providers,
  onCompare,
}: {
  providers: Provider[];
  onCompare: (key: string) => void;
}) {
  const trpc = useTRPC();
  const { filters, update } = useCatalogFilters();
  // The previous page stays on screen while the next loads, so typing does not flash "Loading".
  const list = useQuery({
    ...trpc.models.list.queryOptions(listInput(filters)),
    placeholderData: keepPreviousData,
  });

  return (
    <section aria-labelledby="catalog-title" className="card">
      <h2 id="catalog-title">Catalog</h2>
      <CatalogFilterBar
        filters={filters}
        providers={providers}
        capabilities={CAPABILITY_FILTERS}
        onChange={update}
      />
      <QueryState query={list}>
        {(answer) => {
          const { total, total_pages: pages } = answer.pagination;
          if (total === 0) return <Empty>No model matches these filters.</Empty>;
          const page = answer.pagination.page;
          return (
            <>
              <p className="muted" aria-live="polite">
                <span data-testid="model-count">{count(total)}</span> {total === 1 ? "model" : "models"}
                {pages > 1 ? ` · page ${page} of ${pages}` : ""}
              </p>
              <CatalogTable models={answer.data} onCompare={onCompare} />
              {pages > 1 && (
                <nav className="pager" aria-label="Catalog pages">
                  <button
                    type="button"
                    className="secondary"
                    disabled={page <= 1}
                    onClick={() => update({ page: page - 1 })}
                  >
                    Previous page
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    disabled={page >= pages}
                    onClick={() => update({ page: page + 1 })}
                  >
                    Next page
                  </button>
                </nav>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
