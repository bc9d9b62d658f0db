import { useQuery } from "@tanstack/react-query";
import { Link, Route, Switch } from "wouter";
import { QueryState } from "../shared/admin-fields";
import { PageTitle } from "../shared/page-title";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";
import { CacheSavings } from "./cache-savings";
import { RouteEditor } from "./route-editor";
import { RoutesTable } from "./routes-table";

/**
 * Named routes (GET /api/routes): a list at /routes, a new one at /routes/new, a change at
 * /routes/edit/NAME ("new" is a valid route name, so editing sits under its own segment).
 */
export function RoutesPage() {
  return (
    <Switch>
      <Route path="/new">
        <RouteEditor />
      </Route>
      <Route path="/edit/:name">{(params) => <EditRoute name={params.name} />}</Route>
      <Route>
        <RouteList />
      </Route>
    </Switch>
  );
}

function RouteList() {
  const trpc = useTRPC();
  const routes = useQuery(trpc.routes.list.queryOptions({}));
  return (
    <>
      <PageTitle>Routes</PageTitle>
      <p className="muted">
        A route is a name for a choice of models: send <code>route/NAME</code> as the model.
      </p>
      <section className="card" aria-labelledby="routes-list-title">
        <div className="adm-panel-head">
          <h2 id="routes-list-title">Your routes</h2>
          <Link href="/new">New route</Link>
        </div>
        <QueryState query={routes}>
          {(answer) =>
            answer.data.length === 0 ? <Empty>No routes yet.</Empty> : <RoutesTable routes={answer.data} />
          }
        </QueryState>
      </section>
      <section className="card" aria-labelledby="routes-cache-title">
        <h2 id="routes-cache-title">Response cache this month</h2>
        <CacheSavings />
      </section>
    </>
  );
}

function EditRoute({ name }: { name: string }) {
  const trpc = useTRPC();
  const route = useQuery(trpc.routes.get.queryOptions({ name }));
  return (
    <QueryState query={route}>
      {(answer) => <RouteEditor key={answer.data.updated_at} route={answer.data} />}
    </QueryState>
  );
}
