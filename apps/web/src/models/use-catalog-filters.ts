import type { RouterInputs } from "@llmg/client";
import { useSearchPatch } from "./url-search";

type ModelListInput = RouterInputs["models"]["list"];
type ProviderId = NonNullable<ModelListInput["provider"]>;

export const PER_PAGE = 25;

/** The query-string keys the filters own (the calculator and comparison own others). */
const CATALOG_KEYS = ["provider", "q", "capability", "page"] as const;

export interface CatalogFilters {
  provider: string;
  q: string;
  capabilities: string[];
  page: number;
}

/**
 * The catalog's filters live in the URL (?provider=&q=&capability=a,b&page=), so a filtered
 * list can be linked to, reloaded and moved through with Back.
 */
export function useCatalogFilters() {
  const { search, patch: patchSearch } = useSearchPatch();
  const params = new URLSearchParams(search);
  const page = Number(params.get("page") ?? "1");
  const filters: CatalogFilters = {
    provider: params.get("provider") ?? "",
    q: params.get("q") ?? "",
    capabilities: (params.get("capability") ?? "").split(",").filter(Boolean),
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };

  /** Changes some filters; any change but the page's goes back to page 1. */
  const update = (patch: Partial<CatalogFilters>, options?: { replace?: boolean }) => {
    const next = { ...filters, ...patch };
    if (patch.page === undefined) next.page = 1;
    const out = new URLSearchParams();
    if (next.provider !== "") out.set("provider", next.provider);
    if (next.q !== "") out.set("q", next.q);
    if (next.capabilities.length > 0) out.set("capability", next.capabilities.join(","));
    if (next.page > 1) out.set("page", String(next.page));
    patchSearch(CATALOG_KEYS, out, options);
  };

  return { filters, update };
}

/** The models.list input for the filters (a blank search is no search). */
export function listInput(filters: CatalogFilters): ModelListInput {
  const q = filters.q.trim();
  return {
    page: filters.page,
    per_page: PER_PAGE,
    order: "asc",
    ...(filters.provider !== "" ? { provider: filters.provider as ProviderId } : {}),
    ...(q !== "" ? { q } : {}),
    ...(filters.capabilities.length > 0 ? { capability: filters.capabilities } : {}),
  };
}
