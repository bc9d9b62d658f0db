import { useQuery } from "@tanstack/react-query";
import { PageTitle } from "../shared/page-title";
import { Loaded } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { AddCredentialForm } from "./add-credential-form";
import { CredentialsTable } from "./credentials-table";

/** The provider keys calls are made with: listed by hint, tested, rotated, removed. */
export function CredentialsPage() {
  const trpc = useTRPC();
  const credentials = useQuery(trpc.credentials.list.queryOptions({}));
  const providers = useQuery(trpc.providers.list.queryOptions({}));
  return (
    <>
      <PageTitle>Credentials</PageTitle>
      <section aria-labelledby="credentials-title" className="card">
        <h2 id="credentials-title">Provider credentials</h2>
        <Loaded query={credentials}>{(answer) => <CredentialsTable credentials={answer.data} />}</Loaded>
      </section>
      <section aria-labelledby="add-credential-title" className="card">
        <h2 id="add-credential-title">Add a credential</h2>
        <Loaded query={providers}>{(answer) => <AddCredentialForm providers={answer.data} />}</Loaded>
      </section>
    </>
  );
}
