import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useEffect, useRef, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { ConfirmAction, TableScroll, when } from "../shared/settings-form";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import { EditKeyForm } from "./edit-key-form";
import { KeyBudgetCell } from "./key-budget-cell";
import type { ApiKey, MyTeam } from "./key-types";

const COLUMNS = 10;

export function KeysTable({ keys, teams }: { keys: ApiKey[]; teams: MyTeam[] | undefined }) {
  const trpc = useTRPC();
  // One key edited at a time, in a row under its own.
  const [editing, setEditing] = useState<string | null>(null);
  // The key this browser signed in with: revoking it ends this session too, so it is marked.
  const session = useQuery(trpc.session.get.queryOptions({}));
  const sessionKeyId = session.data?.data.key?.id;
  if (keys.length === 0) return <Empty>No API keys. Create one below.</Empty>;
  return (
    <TableScroll label="Your API keys">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Team</th>
            <th scope="col">Scopes</th>
            <th scope="col">Allowed models</th>
            <th scope="col">Budget</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <Fragment key={key.id}>
              <KeyRow
                apiKey={key}
                teamName={teams?.find((t) => t.id === key.team_id)?.name}
                isSessionKey={key.id === sessionKeyId}
                editing={editing === key.id}
                onEdit={() => setEditing(editing === key.id ? null : key.id)}
              />
              {editing === key.id && (
                <tr>
                  <td colSpan={COLUMNS}>
                    <EditKeyForm apiKey={key} teams={teams} onDone={() => setEditing(null)} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function KeyRow({
  apiKey,
  teamName,
  isSessionKey,
  editing,
  onEdit,
}: {
  apiKey: ApiKey;
  /** Undefined while the teams load, or for a team the user has left: its id is shown then. */
  teamName: string | undefined;
  isSessionKey: boolean;
  editing: boolean;
  onEdit: () => void;
}) {
  const trpc = useTRPC();
  // When the edit form closes (saved or cancelled), focus goes back to the button that opened it.
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(editing);
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.keys.delete.mutationOptions({
      onSuccess: () => {
        // The session stands for its key: with the key revoked, asking again shows the sign-in page.
        if (isSessionKey) void queryClient.invalidateQueries({ queryKey: trpc.session.get.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
      },
    }),
  );
  const label = apiKey.name ?? apiKey.prefix;
  return (
    <tr data-testid={`key-${apiKey.id}`}>
      <th scope="row" className="wrap-anywhere">
        {apiKey.name ?? <span className="muted">unnamed</span>}
        {isSessionKey && <span className="badge">this session</span>}
      </th>
      <td>
        <code>{apiKey.prefix}…</code>
      </td>
      <td className="wrap-anywhere" data-field="team">
        {apiKey.team_id === null ? <span className="muted">none</span> : (teamName ?? apiKey.team_id)}
      </td>
      <td>{apiKey.scopes.join(", ")}</td>
      <td className="wrap-anywhere">
        {apiKey.allowed_models === null ? (
          <span className="muted">all</span>
        ) : (
          apiKey.allowed_models.join(", ")
        )}
      </td>
      <td>
        <KeyBudgetCell apiKey={apiKey} />
      </td>
      <td>{apiKey.expires_at === null ? <span className="muted">never</span> : when(apiKey.expires_at)}</td>
      <td>
        {apiKey.last_used_at === null ? <span className="muted">never</span> : when(apiKey.last_used_at)}
      </td>
      <td>{when(apiKey.created_at)}</td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="secondary"
            ref={editButton}
            aria-label={`Edit ${label}`}
            aria-expanded={editing}
            onClick={onEdit}
          >
            Edit
          </button>
          <ConfirmAction
            label="Revoke"
            ariaLabel={`Revoke ${label}`}
            question={`Revoke ${label}? It stops working at once${isSessionKey ? " and this session ends" : ""}.`}
            confirmLabel="Yes, revoke"
            pending={revoke.isPending}
            onConfirm={() => revoke.mutate({ id: apiKey.id })}
          />
        </div>
        {revoke.isError && <ErrorNote error={revoke.error} />}
      </td>
    </tr>
  );
}
