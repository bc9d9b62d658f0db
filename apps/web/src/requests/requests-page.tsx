import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function RequestsPage() {
  return (
    <>
      <PageTitle>Requests</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
