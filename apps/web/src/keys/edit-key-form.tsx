import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { EditActions, fieldErrors } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { draftOfKey, type KeyDraft, updatePatch } from "./key-draft";
import { KeyFields } from "./key-fields";
import type { ApiKey, MyTeam } from "./key-types";

/**
 * PATCH /api/keys/{id} from the key's row: the form starts with the key's values and sends only
 * what was changed, an emptied field as null (the API clears it). Nothing changed: it just closes.
 */
export function EditKeyForm({
  apiKey,
  teams,
  onDone,
}: {
  apiKey: ApiKey;
  teams: MyTeam[] | undefined;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<KeyDraft>(() => draftOfKey(apiKey));
  const update = useMutation(
    trpc.keys.update.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.keys.get.queryKey({ id: apiKey.id }) });
        onDone();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const patch = updatePatch(apiKey, draft);
    if (patch === null) onDone();
    else update.mutate({ id: apiKey.id, ...patch });
  }

  const title = `Edit key ${apiKey.name ?? apiKey.prefix}`;
  return (
    <form className="settings-form" onSubmit={submit} aria-label={title} noValidate>
      <h3>{title}</h3>
      <KeyFields
        draft={draft}
        onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))}
        errors={fieldErrors(update.error)}
        teams={teams}
        editing
      />
      <EditActions
        pending={update.isPending}
        error={update.isError ? update.error : null}
        onCancel={onDone}
      />
    </form>
  );
}
