import { type AppRouter, createLlmgClient } from "@llmg/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCContext, createTRPCOptionsProxy, type TRPCOptionsProxy } from "@trpc/tanstack-react-query";
import type { ReactNode } from "react";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

// The session's CSRF token lives in memory only: it is re-read from GET /api/session after a
// reload (the HttpOnly cookie proves who we are). The key itself is never kept anywhere.
let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}
/** For the one call made outside tRPC (streamed chat, see streamChat in @llmg/client). */
export function getCsrfToken(): string | undefined {
  return csrfToken;
}

// One client each for the page's life, made when the module loads rather than in a component:
// main.tsx starts the first queries with them before React has rendered anything.
const queryClient = new QueryClient({
  defaultOptions: {
    // A 401 or a 400 will not get better by asking again; the user retries from the page.
    queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 },
  },
});
const trpcClient = createLlmgClient({ baseUrl: window.location.origin, csrfToken: () => csrfToken });

/**
 * Sends the session check and the page's own queries (see prefetchPage) in one batched request
 * as the script starts: on a first visit that is a few hundred ms before React's first commit,
 * time the API then has to answer while the browser is still compiling the page.
 */
export function startFirstQueries(
  prefetch: (trpc: TRPCOptionsProxy<AppRouter>, client: QueryClient) => void,
): void {
  const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
  void queryClient.prefetchQuery(trpc.session.get.queryOptions({}));
  prefetch(trpc, queryClient);
}

export function Providers({ children }: { children: ReactNode }) {
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
