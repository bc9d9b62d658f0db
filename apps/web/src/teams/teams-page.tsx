import { useQuery } from "@tanstack/react-query";
import { Link, Route, Switch } from "wouter";
import { limitText, QueryState } from "../shared/admin-fields";
import { PageTitle } from "../shared/page-title";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import { TeamDetail } from "./team-detail";

/** The teams the signed-in user belongs to (GET /api/teams); /teams/:id shows one. */
export function TeamsPage() {
  return (
    <Switch>
      <Route path="/:id">{(params) => <TeamDetail id={params.id} />}</Route>
      <Route>
        <TeamList />
      </Route>
    </Switch>
  );
}

function TeamList() {
  const trpc = useTRPC();
  const teams = useQuery(trpc.teams.list.queryOptions({}));
  return (
    <>
      <PageTitle>Teams</PageTitle>
      <section className="card" aria-labelledby="teams-list-title">
        <h2 id="teams-list-title">Your teams</h2>
        <QueryState query={teams}>
          {(answer) =>
            answer.data.length === 0 ? (
              <Empty>You are not in a team. The gateway's admin adds users to teams.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table adm-medium" aria-label="Your teams">
                  <thead>
                    <tr>
                      <th scope="col">Team</th>
                      <th scope="col">Your role</th>
                      <th scope="col" className="num">
                        Shared monthly budget
                      </th>
                      <th scope="col" className="num">
                        Cap
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {answer.data.map((team) => (
                      <tr key={team.id}>
                        <th scope="row">
                          <Link href={`/${encodeURIComponent(team.id)}`}>{team.name}</Link>
                        </th>
                        <td>{team.role}</td>
                        <td className="num">{limitText(team.monthly_budget_usd, "unlimited")}</td>
                        <td className="num">{limitText(team.budget_cap_usd, "no cap")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryState>
      </section>
    </>
  );
}
