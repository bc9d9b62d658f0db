import { createTRPCClient, httpBatchLink, type TRPCClient, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "./app-router.js";

export type { AppRouter, RouterInputs, RouterOutputs } from "./app-router.js";

export interface LlmgClientOptions {
  /** Where the gateway runs, e.g. "http://127.0.0.1:8080" (the client adds /trpc). */
  baseUrl: string;
  /**
   * An llmg API key ("llmg_..."), or the admin key for admin procedures. Left out in a browser
   * signed in with a session cookie (POST /api/session): then give `csrfToken`.
   */
  apiKey?: string;
  /** The session's csrf_token, sent as x-llmg-csrf (needed by mutations made with the cookie). */
  csrfToken?: () => string | undefined;
  /** Custom fetch (tests, proxies); defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * The typed client over /trpc. Types come from `AppRouter` alone (a type-only import), so no
 * server code ends up in an app that uses it; the packed package carries them written out.
 */
export function createLlmgClient(options: LlmgClientOptions): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.baseUrl.replace(/\/+$/, "")}/trpc`,
        // The server refuses batches of more calls (400); larger bursts go out as several batches.
        maxItems: 20,
        headers: () => {
          if (options.apiKey !== undefined) return { authorization: `Bearer ${options.apiKey}` };
          const csrf = options.csrfToken?.();
          return csrf === undefined ? {} : { "x-llmg-csrf": csrf };
        },
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ],
  });
}

export type LlmgClient = ReturnType<typeof createLlmgClient>;

/** Our error code ("unauthorized", "not_found", …) from a failed call, if it carries one. */
export function llmgErrorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = error.data as { error?: unknown } | undefined;
  return typeof data?.error === "string" ? data.error : undefined;
}

export { type ChatChunk, type ChatInput, LlmgStreamError, streamChat } from "./stream.js";
