import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function TeamsPage() {
  return (
    <>
      <PageTitle>Teams</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
