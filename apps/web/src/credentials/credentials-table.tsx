import { Fragment, useState } from "react";
import { TableScroll } from "../shared/settings-form";
import { Empty } from "../shared/states";
import { CredentialRow } from "./credential-row";
import type { Credential } from "./credential-types";
import { EditCredentialForm } from "./edit-credential-form";

export function CredentialsTable({ credentials }: { credentials: Credential[] }) {
  const [editing, setEditing] = useState<string | null>(null);
  if (credentials.length === 0) {
    return <Empty>No provider credentials yet: add one below to start calling models.</Empty>;
  }
  return (
    <TableScroll label="Your provider credentials">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Base URL</th>
            <th scope="col" className="num">
              Priority
            </th>
            <th scope="col" className="num">
              Weight
            </th>
            <th scope="col">Health</th>
            <th scope="col">Last test</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {credentials.map((credential) => (
            <Fragment key={credential.id}>
              <CredentialRow
                credential={credential}
                editing={editing === credential.id}
                onEdit={() => setEditing(editing === credential.id ? null : credential.id)}
              />
              {editing === credential.id && (
                <tr>
                  <td colSpan={9}>
                    <EditCredentialForm credential={credential} onDone={() => setEditing(null)} />
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
