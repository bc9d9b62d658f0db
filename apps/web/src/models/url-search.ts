import { useLocation, useSearch } from "wouter";

/**
 * The Models page's query string, shared by the catalog's filters, the calculator and the
 * comparison: each writes only the keys it owns and keeps the others', so one link holds all.
 */
export function useSearchPatch() {
  const [location, navigate] = useLocation();
  const search = useSearch();

  const patch = (owned: readonly string[], next: URLSearchParams, options?: { replace?: boolean }) => {
    const out = new URLSearchParams(search);
    for (const key of owned) out.delete(key);
    for (const [key, value] of next) out.set(key, value);
    // Relative to the page's own path: /models?q=…, not /models/?q=… (the nested root is "/").
    const path = location === "/" ? "" : location;
    const query = out.toString();
    navigate(`${path}${query === "" ? "" : `?${query}`}`, options);
  };

  return { search, patch };
}
