import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function CredentialsPage() {
  return (
    <>
      <PageTitle>Credentials</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
