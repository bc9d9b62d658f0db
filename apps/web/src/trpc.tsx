import { type AppRouter, createLlmgClient } from "@llmg/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";

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

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // A 401 or a 400 will not get better by asking again; the user retries from the page.
          queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createLlmgClient({ baseUrl: window.location.origin, csrfToken: () => csrfToken }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
