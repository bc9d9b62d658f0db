import { useQuery } from "@tanstack/react-query";
import { pagesFor } from "./pages";
import { SignInPage } from "./session/sign-in-page";
import { SignOutButton } from "./session/sign-out-button";
import { ErrorNote, errorCode } from "./shared/errors";
import { Nav } from "./shell/nav";
import { PageRoutes } from "./shell/page-routes";
import { setCsrfToken, useTRPC } from "./trpc";

/**
 * Who is signed in decides the page: GET /api/session answers for the HttpOnly cookie, so a
 * reload stays signed in without the page ever holding the key. Signed out, every path shows
 * the sign-in page (and stays the same path, so signing in lands where the link pointed).
 */
export function App() {
  const trpc = useTRPC();
  // Already on its way (main.tsx's startFirstQueries): this finds it in the cache.
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
  const pages = pagesFor(me.kind === "admin" ? "admin" : "user");
  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">llmg</span>
        <Nav pages={pages} />
        <span className="who">{me.kind === "admin" ? "admin key" : me.user?.email}</span>
        <SignOutButton />
      </header>
      <main className="page" id="content" tabIndex={-1}>
        <PageRoutes pages={pages} />
      </main>
    </>
  );
}
