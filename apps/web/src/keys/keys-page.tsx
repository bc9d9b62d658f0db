import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { PageTitle } from "../shared/page-title";
import { Loaded } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { CreateKeyForm } from "./create-key-form";
import type { CreatedKey } from "./key-types";
import { KeysTable } from "./keys-table";
import { NewKeyNotice } from "./new-key-notice";

/** Your llmg API keys: listed by prefix, created (the full key shown once), revoked. */
export function KeysPage() {
  const trpc = useTRPC();
  const keys = useQuery(trpc.keys.list.queryOptions({}));
  // The new key is held here, in memory, until dismissed: never in storage or the URL.
  const [created, setCreated] = useState<CreatedKey | null>(null);
  return (
    <>
      <PageTitle>API keys</PageTitle>
      {created && <NewKeyNotice created={created} onDismiss={() => setCreated(null)} />}
      <section aria-labelledby="keys-title" className="card">
        <h2 id="keys-title">Your keys</h2>
        <Loaded query={keys}>{(answer) => <KeysTable keys={answer.data} />}</Loaded>
      </section>
      <section aria-labelledby="create-key-title" className="card">
        <h2 id="create-key-title">Create a key</h2>
        <CreateKeyForm onCreated={setCreated} />
      </section>
    </>
  );
}
