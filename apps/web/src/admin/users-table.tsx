import type { RouterOutputs } from "@llmg/client";
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { limitText, QueryState } from "../shared/admin-fields";
import { count } from "../shared/format";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import { SelectedUser } from "./user-panel";

export type AdminUser = RouterOutputs["admin"]["listUsers"]["data"][number];

/** Users per page of the table; the API allows at most 100. */
export const USERS_PER_PAGE = 50;

const rate = (value: number | null) => (value === null ? "—" : count(value));

/** GET /api/admin/users as a table; a user's email opens their panel below it. */
export function UsersTable({ selectedId, page }: { selectedId: string | null; page: number }) {
  const trpc = useTRPC();
  const users = useQuery(trpc.admin.listUsers.queryOptions({ page, per_page: USERS_PER_PAGE }));
  return (
    <QueryState query={users}>
      {(answer) => {
        const { total, total_pages } = answer.pagination;
        return (
          <>
            {answer.data.length === 0 ? (
              <Empty>No users yet. Create the first one below.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table adm-wide" aria-label="Users">
                  <thead>
                    <tr>
                      <th scope="col">Email</th>
                      <th scope="col">Name</th>
                      <th scope="col">Status</th>
                      <th scope="col" className="num">
                        Monthly budget
                      </th>
                      <th scope="col" className="num">
                        Cap
                      </th>
                      <th scope="col" className="num">
                        RPM
                      </th>
                      <th scope="col" className="num">
                        TPM
                      </th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {answer.data.map((user) => (
                      <tr key={user.id} data-testid={`user-${user.id}`}>
                        <th scope="row">
                          <Link
                            href={`/?user=${encodeURIComponent(user.id)}${page > 1 ? `&page=${page}` : ""}`}
                            aria-current={user.id === selectedId ? "true" : undefined}
                          >
                            {user.email}
                          </Link>
                        </th>
                        <td>{user.name ?? "—"}</td>
                        <td>
                          <span className={`status ${user.disabled ? "status-exceeded" : "status-ok"}`}>
                            {user.disabled ? "Disabled" : "Active"}
                          </span>
                        </td>
                        <td className="num">{limitText(user.monthly_budget_usd, "unlimited")}</td>
                        <td className="num">{limitText(user.budget_cap_usd, "no cap")}</td>
                        <td className="num">{rate(user.rate_limit_rpm)}</td>
                        <td className="num">{rate(user.rate_limit_tpm)}</td>
                        <td>{new Date(user.created_at).toLocaleDateString()}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {total_pages > 1 && (
              <nav aria-label="User pages" className="adm-pager">
                {page > 1 && <Link href={`/?page=${page - 1}`}>Previous</Link>}
                <span className="muted">
                  Page {page} of {total_pages} ({count(total)} users)
                </span>
                {page < total_pages && <Link href={`/?page=${page + 1}`}>Next</Link>}
              </nav>
            )}
            {selectedId !== null && <SelectedUser key={selectedId} id={selectedId} />}
          </>
        );
      }}
    </QueryState>
  );
}
