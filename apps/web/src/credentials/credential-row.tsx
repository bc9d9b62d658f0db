import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ErrorNote } from "../shared/errors";
import { ConfirmAction } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { CredentialTestResult } from "./credential-test-result";
import type { Credential } from "./credential-types";

const HEALTH_TEXT = { closed: "Healthy", open: "Circuit open", half_open: "Probing" } as const;

/** One credential: what it is (never its key, only the hint), and what can be done with it. */
export function CredentialRow({
  credential,
  editing,
  onEdit,
}: {
  credential: Credential;
  editing: boolean;
  onEdit: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.credentials.list.queryKey() });
  const test = useMutation(trpc.credentials.test.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(
    trpc.credentials.delete.mutationOptions({
      onSuccess: () => {
        void refresh();
        void queryClient.invalidateQueries({ queryKey: trpc.account.get.queryKey() });
      },
    }),
  );
  const label = `${credential.provider} ${credential.name}`;
  return (
    <tr data-testid={`credential-${credential.id}`}>
      <td data-field="provider">{credential.provider}</td>
      <th scope="row" data-field="name">
        {credential.name}
        {credential.is_default && <span className="badge">default</span>}
      </th>
      <td data-field="hint">
        <code>{credential.hint}</code>
      </td>
      <td data-field="base_url" className="wrap-anywhere">
        {credential.base_url ?? <span className="muted">default</span>}
      </td>
      <td className="num" data-field="priority">
        {credential.priority}
      </td>
      <td className="num" data-field="weight">
        {credential.weight}
      </td>
      <td data-field="health">{credential.health ? HEALTH_TEXT[credential.health.state] : "—"}</td>
      <td data-field="test" aria-live="polite">
        {test.isPending ? (
          <span className="muted">Testing…</span>
        ) : test.isError ? (
          <ErrorNote error={test.error} />
        ) : (
          <CredentialTestResult fresh={test.data?.data} last={credential.last_test} />
        )}
      </td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="secondary"
            aria-label={`Test ${label}`}
            disabled={test.isPending}
            onClick={() => test.mutate({ id: credential.id })}
          >
            Test
          </button>
          <button
            type="button"
            className="secondary"
            aria-label={`Edit ${label}`}
            aria-expanded={editing}
            onClick={onEdit}
          >
            Edit
          </button>
          <ConfirmAction
            label="Delete"
            ariaLabel={`Delete ${label}`}
            question={`Delete ${label}? Calls stop using it at once.`}
            confirmLabel="Yes, delete"
            pending={remove.isPending}
            onConfirm={() => remove.mutate({ id: credential.id })}
          />
        </div>
        {remove.isError && <ErrorNote error={remove.error} />}
      </td>
    </tr>
  );
}
