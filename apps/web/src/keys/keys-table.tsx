import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorNote } from "../shared/errors";
import { ConfirmAction, TableScroll, when } from "../shared/settings-form";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import { KeyBudgetCell } from "./key-budget-cell";
import type { ApiKey } from "./key-types";

export function KeysTable({ keys }: { keys: ApiKey[] }) {
  const trpc = useTRPC();
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
            <KeyRow key={key.id} apiKey={key} isSessionKey={key.id === sessionKeyId} />
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function KeyRow({ apiKey, isSessionKey }: { apiKey: ApiKey; isSessionKey: boolean }) {
  const trpc = useTRPC();
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
        <ConfirmAction
          label="Revoke"
          ariaLabel={`Revoke ${label}`}
          question={`Revoke ${label}? It stops working at once${isSessionKey ? " and this session ends" : ""}.`}
          confirmLabel="Yes, revoke"
          pending={revoke.isPending}
          onConfirm={() => revoke.mutate({ id: apiKey.id })}
        />
        {revoke.isError && <ErrorNote error={revoke.error} />}
      </td>
    </tr>
  );
}
