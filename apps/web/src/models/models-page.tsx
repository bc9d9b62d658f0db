import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function ModelsPage() {
  return (
    <>
      <PageTitle>Models and pricing</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
