import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNote } from "../shared/errors";
import { PageTitle } from "../shared/page-title";
import { Loaded } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { CreateKeyForm } from "./create-key-form";
import type { CreatedKey } from "./key-types";
import { KeysTable } from "./keys-table";
import { NewKeyNotice } from "./new-key-notice";

/** Your llmg API keys: listed by prefix, created (the full key shown once), edited, revoked. */
export function KeysPage() {
  const trpc = useTRPC();
  const keys = useQuery(trpc.keys.list.queryOptions({}));
  // The teams a key may count for (the user's own); the forms offer them, the table names them.
  const teams = useQuery(trpc.teams.list.queryOptions({}));
  // Failed to load: no team to offer (the error is shown under the form), not "loading" for ever.
  const myTeams = teams.isError ? [] : teams.data?.data;
  // The new key is held here, in memory, until dismissed: never in storage or the URL.
  const [created, setCreated] = useState<CreatedKey | null>(null);
  return (
    <>
      <PageTitle>API keys</PageTitle>
      {created && <NewKeyNotice created={created} onDismiss={() => setCreated(null)} />}
      <section aria-labelledby="keys-title" className="card">
        <h2 id="keys-title">Your keys</h2>
        <Loaded query={keys}>{(answer) => <KeysTable keys={answer.data} teams={myTeams} />}</Loaded>
      </section>
      <section aria-labelledby="create-key-title" className="card">
        <h2 id="create-key-title">Create a key</h2>
        <CreateKeyForm teams={myTeams} onCreated={setCreated} />
        {teams.isError && <ErrorNote error={teams.error} onRetry={() => void teams.refetch()} />}
      </section>
    </>
  );
}
