import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function AccountPage() {
  return (
    <>
      <PageTitle>Account</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
