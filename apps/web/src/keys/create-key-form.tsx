import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { fieldErrors } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { createInput, EMPTY_DRAFT, type KeyDraft } from "./key-draft";
import { KeyFields } from "./key-fields";
import type { CreatedKey, MyTeam } from "./key-types";

/** POST /api/keys with what the API takes (key-draft.ts says how each field is sent). */
export function CreateKeyForm({
  teams,
  onCreated,
}: {
  teams: MyTeam[] | undefined;
  onCreated: (key: CreatedKey) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<KeyDraft>(EMPTY_DRAFT);
  const create = useMutation(
    trpc.keys.create.mutationOptions({
      onSuccess: (answer) => {
        // The scopes stay as chosen: several keys alike are often made in a row.
        setDraft((d) => ({ ...EMPTY_DRAFT, scopes: d.scopes, period: d.period }));
        onCreated(answer.data);
        void queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(createInput(draft));
  }

  return (
    <form className="settings-form" onSubmit={submit} aria-label="Create an API key" noValidate>
      <KeyFields
        draft={draft}
        onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))}
        errors={fieldErrors(create.error)}
        teams={teams}
      />
      <div className="form-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
        </button>
      </div>
      {create.isError && <ErrorNote error={create.error} />}
    </form>
  );
}
