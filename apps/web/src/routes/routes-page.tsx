import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function RoutesPage() {
  return (
    <>
      <PageTitle>Routes</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
