import type { RouterOutputs } from "@llmg/client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "wouter";
import { amountOrNull, Field, limitText, QueryState } from "../shared/admin-fields";
import { ErrorNote } from "../shared/errors";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import { TeamAdminPanel } from "./team-admin-panel";

export type AdminTeam = RouterOutputs["admin"]["listTeams"]["data"][number];

/** GET /api/admin/teams, a form to create one, and the selected team's panel. */
export function AdminTeams({ selectedId }: { selectedId: string | null }) {
  const trpc = useTRPC();
  const teams = useQuery(trpc.admin.listTeams.queryOptions({ page: 1, per_page: 100 }));
  return (
    <>
      <section aria-labelledby="adm-teams-title" className="card">
        <h2 id="adm-teams-title">Teams</h2>
        <QueryState query={teams}>
          {(answer) => {
            const selected = answer.data.find((team) => team.id === selectedId);
            return (
              <>
                {answer.data.length === 0 ? (
                  <Empty>No teams yet.</Empty>
                ) : (
                  <div className="table-wrap">
                    <table className="table adm-medium" aria-label="Teams">
                      <thead>
                        <tr>
                          <th scope="col">Name</th>
                          <th scope="col" className="num">
                            Monthly budget
                          </th>
                          <th scope="col" className="num">
                            Cap
                          </th>
                          <th scope="col">Alerts at</th>
                        </tr>
                      </thead>
                      <tbody>
                        {answer.data.map((team) => (
                          <tr key={team.id}>
                            <th scope="row">
                              <Link
                                href={`/?team=${encodeURIComponent(team.id)}`}
                                aria-current={team.id === selectedId ? "true" : undefined}
                              >
                                {team.name}
                              </Link>
                            </th>
                            <td className="num">{limitText(team.monthly_budget_usd, "unlimited")}</td>
                            <td className="num">{limitText(team.budget_cap_usd, "no cap")}</td>
                            <td>{team.thresholds.map((p) => `${p} %`).join(", ")}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
                {answer.pagination.total_pages > 1 && (
                  <p className="muted small">The first 100 teams are listed.</p>
                )}
                {selectedId !== null &&
                  (selected ? (
                    <TeamAdminPanel key={selected.id} team={selected} />
                  ) : (
                    <p className="note">That team is not in the list.</p>
                  ))}
              </>
            );
          }}
        </QueryState>
      </section>
      <section aria-labelledby="adm-new-team-title" className="card">
        <h2 id="adm-new-team-title">New team</h2>
        <CreateTeamForm />
      </section>
    </>
  );
}

function CreateTeamForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [budget, setBudget] = useState("");
  const [cap, setCap] = useState("");
  const create = useMutation(
    trpc.admin.createTeam.mutationOptions({
      onSuccess: () => {
        setName("");
        setBudget("");
        setCap("");
        return queryClient.invalidateQueries(trpc.admin.listTeams.pathFilter());
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({
      name: name.trim(),
      monthly_budget_usd: amountOrNull(budget),
      budget_cap_usd: amountOrNull(cap),
    });
  }

  return (
    <form className="adm-form" onSubmit={submit}>
      <Field label="Team name">
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field
        label="Shared monthly budget, USD (optional)"
        hint="Empty: unlimited (or the cap, when one is set)"
      >
        <input inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} />
      </Field>
      <Field label="Budget cap, USD (optional)" hint="The most a team manager may set">
        <input inputMode="decimal" value={cap} onChange={(e) => setCap(e.target.value)} />
      </Field>
      <div className="adm-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create team"}
        </button>
        {create.isSuccess && <span role="status">Created {create.data.data.name}.</span>}
      </div>
      {create.isError && <ErrorNote error={create.error} />}
    </form>
  );
}
