import type { ReactNode } from "react";
import { ErrorNote } from "../shared/errors";
import { Loading } from "../shared/states";

/** What a tRPC query result has that the three states need (its error is no plain Error). */
interface QueryLike<T> {
  isPending: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/** Loading, the envelope's error (message, request id, retry), or the data. */
export function QueryState<T>({
  query,
  children,
}: {
  query: QueryLike<T>;
  children: (data: T) => ReactNode;
}) {
  if (query.error) return <ErrorNote error={query.error} onRetry={() => void query.refetch()} />;
  if (query.isPending || query.data === undefined) return <Loading />;
  return <>{children(query.data)}</>;
}
