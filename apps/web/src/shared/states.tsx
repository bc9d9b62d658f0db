import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorNote } from "./errors";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="muted" aria-busy="true">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted empty">{children}</p>;
}

/**
 * The three states every view has: loading, the envelope's error (message and request id, with
 * a retry), or the data.
 */
export function QueryView<T, E = unknown>({
  query,
  children,
}: {
  // Any error type: tRPC's queries fail with TRPCClientError, ErrorNote reads its envelope.
  query: UseQueryResult<T, E>;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorNote error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
