import type { RouterOutputs } from "@llmg/client";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ConfirmButton, Field, ShownOnce } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { useTRPC } from "../trpc";

type CreatedKey = RouterOutputs["admin"]["createUserKey"]["data"];

/**
 * Keys made for the user here. The API has no admin listing of a user's keys, so the list is the
 * keys created on this page since it opened; any other key is revoked by its id.
 */
export function UserKeys({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [made, setMade] = useState<CreatedKey[]>([]);
  const [revoked, setRevoked] = useState<string[]>([]);
  const [otherId, setOtherId] = useState("");
  const create = useMutation(
    trpc.admin.createUserKey.mutationOptions({
      onSuccess: (answer) => {
        setName("");
        setMade((list) => [answer.data, ...list]);
      },
    }),
  );
  const revoke = useMutation(
    trpc.admin.revokeUserKey.mutationOptions({
      onSuccess: (answer) => {
        setOtherId("");
        setRevoked((list) => [...list, answer.data.id]);
      },
    }),
  );
  const newest = made[0];

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    create.mutate({ id: userId, ...(trimmed ? { name: trimmed } : {}) });
  }

  return (
    <div className="adm-form">
      <h4>API keys</h4>
      <form className="adm-inline" onSubmit={submit}>
        <Field label="Key name (optional)">
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
        </button>
      </form>
      {create.isError && <ErrorNote error={create.error} />}
      {newest && !revoked.includes(newest.id) && <ShownOnce label="New key" value={newest.key} />}
      {made.length > 0 && (
        <ul className="adm-list" aria-label="Keys created here">
          {made.map((key) => (
            <li key={key.id}>
              <span>
                <code>{key.prefix}…</code> {key.name ?? <span className="muted">unnamed</span>}
              </span>
              {revoked.includes(key.id) ? (
                <span className="status status-exceeded">Revoked</span>
              ) : (
                <ConfirmButton
                  label={`Revoke ${key.prefix}`}
                  confirmLabel="Confirm revoke"
                  disabled={revoke.isPending}
                  onConfirm={() => revoke.mutate({ id: userId, keyId: key.id })}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        className="adm-inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (otherId.trim() !== "") revoke.mutate({ id: userId, keyId: otherId.trim() });
        }}
      >
        <Field label="Revoke another key by id">
          <input value={otherId} onChange={(e) => setOtherId(e.target.value)} spellCheck={false} />
        </Field>
        <button type="submit" className="secondary" disabled={revoke.isPending}>
          Revoke
        </button>
      </form>
      {revoke.isError && <ErrorNote error={revoke.error} />}
    </div>
  );
}
