import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "wouter";
import { amountOrNull, Field, QueryState } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import type { AdminTeam } from "./admin-teams";

/**
 * One team for the admin: name, shared budget and cap (PATCH /api/admin/teams/{id}), and
 * membership: the current members (GET /api/admin/teams/{id}/members), and a picker to add,
 * change the role of, or remove a user.
 */
export function TeamAdminPanel({ team }: { team: AdminTeam }) {
  return (
    <section className="adm-panel" aria-labelledby="adm-team-title">
      <div className="adm-panel-head">
        <h3 id="adm-team-title">{team.name}</h3>
        <Link href="/">Close</Link>
      </div>
      <TeamBudgetForm team={team} />
      <MemberList teamId={team.id} />
      <Members team={team} />
    </section>
  );
}

function TeamBudgetForm({ team }: { team: AdminTeam }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(team.name);
  const [budget, setBudget] = useState(team.monthly_budget_usd ?? "");
  const [cap, setCap] = useState(team.budget_cap_usd ?? "");
  const update = useMutation(
    trpc.admin.updateTeam.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.admin.listTeams.pathFilter()),
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    // Only what changed is sent: resending the old limit with a lower cap would be refused as
    // above the cap, where the cap alone lowers the limit to it.
    const limit = amountOrNull(budget);
    const newCap = amountOrNull(cap);
    update.mutate({
      id: team.id,
      ...(name.trim() !== team.name ? { name: name.trim() } : {}),
      ...(limit !== team.monthly_budget_usd ? { monthly_budget_usd: limit } : {}),
      ...(newCap !== team.budget_cap_usd ? { budget_cap_usd: newCap } : {}),
    });
  }

  return (
    <form className="adm-form" onSubmit={submit} aria-label="Team budget">
      <h4>Name and shared budget</h4>
      <Field label="Team name">
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Team monthly budget, USD" hint="Empty: unlimited; at most the cap">
        <input inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} />
      </Field>
      <Field label="Team budget cap, USD" hint="The most a manager may set. Empty: no cap">
        <input inputMode="decimal" value={cap} onChange={(e) => setCap(e.target.value)} />
      </Field>
      <div className="adm-actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save team"}
        </button>
        {update.isSuccess && <span role="status">Saved.</span>}
      </div>
      {update.isError && <ErrorNote error={update.error} />}
    </form>
  );
}

function MemberList({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const members = useQuery(trpc.admin.listTeamMembers.queryOptions({ id: teamId }));
  return (
    <div className="adm-form">
      <h4>Current members</h4>
      <QueryState query={members}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No members yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Members of the team">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Added</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((m) => (
                    <tr key={m.user_id} data-testid={`member-${m.user_id}`}>
                      <th scope="row">
                        <Link href={`/?user=${encodeURIComponent(m.user_id)}`}>{m.email}</Link>
                      </th>
                      <td>{m.role}</td>
                      <td>{m.added_at.slice(0, 10)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </div>
  );
}

function Members({ team }: { team: AdminTeam }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () =>
    queryClient.invalidateQueries(trpc.admin.listTeamMembers.queryFilter({ id: team.id }));
  // The member picker offers the first 100 users (the most one page of the API holds).
  const users = useQuery(trpc.admin.listUsers.queryOptions({ page: 1, per_page: 100 }));
  const [userId, setUserId] = useState("");
  const [role, setRole] = useState<"member" | "manager">("member");
  const [done, setDone] = useState<string | null>(null);
  const emailOf = (id: string) => users.data?.data.find((u) => u.id === id)?.email ?? id;
  const add = useMutation(
    trpc.admin.addTeamMember.mutationOptions({
      onSuccess: (answer) => {
        setDone(`${emailOf(answer.data.user_id)} is a ${answer.data.role} of the team.`);
        return refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.admin.removeTeamMember.mutationOptions({
      onSuccess: (answer) => {
        setDone(
          `${emailOf(answer.data.user_id)} was removed; ${answer.data.keys_detached} of their keys no longer count for the team.`,
        );
        return refresh();
      },
    }),
  );
  const busy = add.isPending || remove.isPending;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (userId === "") return;
    setDone(null);
    add.mutate({ id: team.id, user_id: userId, role });
  }

  return (
    <form className="adm-form" onSubmit={submit} aria-label="Team members">
      <h4>Add, change or remove a member</h4>
      {users.isError ? (
        <ErrorNote error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <>
          <Field label="User">
            <select required value={userId} onChange={(e) => setUserId(e.target.value)}>
              <option value="">{users.isPending ? "Loading…" : "Pick a user"}</option>
              {users.data?.data.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.email}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Role" hint="A manager may change the team's budget within the cap">
            <select value={role} onChange={(e) => setRole(e.target.value as "member" | "manager")}>
              <option value="member">member</option>
              <option value="manager">manager</option>
            </select>
          </Field>
          <div className="adm-actions">
            <button type="submit" disabled={busy}>
              Add or change role
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy || userId === ""}
              onClick={() => {
                setDone(null);
                remove.mutate({ id: team.id, userId });
              }}
            >
              Remove from team
            </button>
          </div>
        </>
      )}
      {done && <p role="status">{done}</p>}
      {add.isError && <ErrorNote error={add.error} />}
      {remove.isError && <ErrorNote error={remove.error} />}
    </form>
  );
}
