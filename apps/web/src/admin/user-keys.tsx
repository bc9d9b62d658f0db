import type { RouterOutputs } from "@llmg/client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ConfirmButton, Field, QueryState, ShownOnce } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";

type CreatedKey = RouterOutputs["admin"]["createUserKey"]["data"];

/** The UTC date with its year: an expiry can be years away. */
const date = (iso: string | null, none: string) => (iso === null ? none : iso.slice(0, 10));

/** The user's live keys (GET /api/admin/users/{id}/keys) with revoke, and a form for a new one. */
export function UserKeys({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.admin.listUserKeys.queryOptions({ id: userId }));
  const [name, setName] = useState("");
  const [made, setMade] = useState<CreatedKey | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.admin.listUserKeys.queryFilter({ id: userId }));
  const create = useMutation(
    trpc.admin.createUserKey.mutationOptions({
      onSuccess: (answer) => {
        setName("");
        setMade(answer.data);
        return refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.admin.revokeUserKey.mutationOptions({
      onSuccess: (answer) => {
        if (made?.id === answer.data.id) setMade(null);
        return refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    create.mutate({ id: userId, ...(trimmed ? { name: trimmed } : {}) });
  }

  return (
    <div className="adm-form">
      <h4>API keys</h4>
      <QueryState query={keys}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No live keys.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="API keys of the user">
                <thead>
                  <tr>
                    <th scope="col">Prefix</th>
                    <th scope="col">Name</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Models</th>
                    <th scope="col">Team</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="visually-hidden">Revoke</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((key) => (
                    <tr key={key.id} data-testid={`key-${key.id}`}>
                      <th scope="row">
                        <code>{key.prefix}…</code>
                      </th>
                      <td>{key.name ?? "—"}</td>
                      <td>{key.scopes.join(", ")}</td>
                      <td>{key.allowed_models?.join(", ") ?? "all"}</td>
                      <td>{key.team_id ?? "—"}</td>
                      <td>{date(key.expires_at, "never")}</td>
                      <td>{date(key.last_used_at, "never")}</td>
                      <td>
                        <ConfirmButton
                          label={`Revoke ${key.prefix}`}
                          confirmLabel="Confirm revoke"
                          disabled={revoke.isPending}
                          onConfirm={() => revoke.mutate({ id: userId, keyId: key.id })}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      {revoke.isError && <ErrorNote error={revoke.error} />}
      <form className="adm-inline" onSubmit={submit}>
        <Field label="Key name (optional)">
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
        </button>
      </form>
      {create.isError && <ErrorNote error={create.error} />}
      {made && <ShownOnce label="New key" value={made.key} />}
    </div>
  );
}
