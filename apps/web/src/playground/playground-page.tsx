import { PageTitle } from "../shared/page-title";

/** Placeholder until the page is built. */
export function PlaygroundPage() {
  return (
    <>
      <PageTitle>Playground</PageTitle>
      <p className="note">This page is not built yet.</p>
    </>
  );
}
