import { useQuery } from "@tanstack/react-query";
import { QueryState } from "../shared/admin-fields";
import { count, usdExact } from "../shared/format";
import { useTRPC } from "../trpc";

/**
 * What the response cache saved this month, from GET /api/usage/summary's totals. The API does
 * not split savings per route, so this is every cached answer of the user's, routes or not.
 */
export function CacheSavings() {
  const trpc = useTRPC();
  const summary = useQuery(trpc.usage.summary.queryOptions({}));
  return (
    <QueryState query={summary}>
      {(answer) => (
        <dl className="facts">
          <div>
            <dt>Answers from the cache</dt>
            <dd data-testid="cache-hits">{count(answer.data.totals.cache_hits)}</dd>
          </div>
          <div>
            <dt>Saved</dt>
            <dd data-testid="cache-saved">{usdExact(answer.data.totals.saved_usd_exact)}</dd>
          </div>
        </dl>
      )}
    </QueryState>
  );
}
