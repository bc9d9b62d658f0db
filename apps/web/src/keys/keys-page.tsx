import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function KeysPage() {
  return (
    <>
      <PageTitle>API keys</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
