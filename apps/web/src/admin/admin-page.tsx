import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function AdminPage() {
  return (
    <>
      <PageTitle>Admin</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
