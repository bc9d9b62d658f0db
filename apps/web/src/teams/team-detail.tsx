import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { QueryState } from "../shared/admin-fields";
import { PageTitle } from "../shared/page-title";
import { useTRPC } from "../trpc";
import { TeamBudgetForm } from "./team-budget-form";
import { TeamMembers } from "./team-members";
import { TeamSpend } from "./team-spend";

/** One team: its shared budget this month, its members, and (managers) its budget settings. */
export function TeamDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const team = useQuery(trpc.teams.get.queryOptions({ id }));
  const budget = useQuery(trpc.teams.budget.queryOptions({ id }));
  return (
    <>
      <PageTitle title={team.data?.data.name ?? "Team"}>{team.data?.data.name ?? "Team"}</PageTitle>
      <p>
        <Link href="/">← All your teams</Link>
      </p>
      <section className="card" aria-labelledby="team-spend-title">
        <h2 id="team-spend-title">Shared budget this month</h2>
        <QueryState query={budget}>{(answer) => <TeamSpend budget={answer.data} />}</QueryState>
      </section>
      <QueryState query={team}>
        {(answer) => (
          <>
            <section className="card" aria-labelledby="team-members-title">
              <h2 id="team-members-title">Members</h2>
              <TeamMembers members={answer.data.members} />
            </section>
            <section className="card" aria-labelledby="team-settings-title">
              <h2 id="team-settings-title">Budget settings</h2>
              {answer.data.role === "manager" ? (
                <TeamBudgetForm team={answer.data} />
              ) : (
                <p className="muted">
                  Only the team's managers change its budget. Limit alerts at{" "}
                  {answer.data.thresholds.map((p) => `${p} %`).join(", ")}.
                </p>
              )}
            </section>
          </>
        )}
      </QueryState>
    </>
  );
}
