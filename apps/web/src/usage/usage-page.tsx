import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function UsagePage() {
  return (
    <>
      <PageTitle>Usage</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
