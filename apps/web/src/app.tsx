import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { SignInPage } from "./session/sign-in-page";
import { SignOutButton } from "./session/sign-out-button";
import { ErrorNote, errorCode } from "./shared/errors";
import { setCsrfToken, useTRPC } from "./trpc";

// Code-split: the sign-in page loads without the charting library.
const OverviewPage = lazy(() =>
  import("./overview/overview-page").then((m) => ({ default: m.OverviewPage })),
);

/**
 * Who is signed in decides the page: GET /api/session answers for the HttpOnly cookie, so a
 * reload stays signed in without the page ever holding the key.
 */
export function App() {
  const trpc = useTRPC();
  const session = useQuery(trpc.session.get.queryOptions({}));

  if (session.isPending) {
    return (
      <main className="centered" aria-busy="true">
        <p className="muted">Loading…</p>
      </main>
    );
  }
  if (session.isError) {
    if (errorCode(session.error) === "unauthorized") return <SignInPage />;
    return (
      <main className="centered">
        <ErrorNote error={session.error} onRetry={() => void session.refetch()} />
      </main>
    );
  }

  const me = session.data.data;
  setCsrfToken(me.csrf_token);
  return (
    <>
      <header className="topbar">
        <span className="brand">llmg</span>
        <nav aria-label="Pages">
          <a href="/" aria-current="page">
            Overview
          </a>
        </nav>
        <span className="who">{me.kind === "admin" ? "admin key" : me.user?.email}</span>
        <SignOutButton />
      </header>
      <main className="page">
        {me.kind === "admin" ? (
          <p className="note">
            Signed in with the admin key. The Overview shows a user's own month: sign in with a user's key to
            see it. The admin pages are not built yet.
          </p>
        ) : (
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <OverviewPage />
          </Suspense>
        )}
      </main>
    </>
  );
}
