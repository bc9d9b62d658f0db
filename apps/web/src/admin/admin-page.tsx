import { useSearchParams } from "wouter";
import { PageTitle } from "../shared/page-title";
import { AdminTeams } from "./admin-teams";
import { CreateUserForm } from "./create-user-form";
import { SpendByUser } from "./spend-by-user";
import { UsersTable } from "./users-table";

/**
 * The admin key's page: users (create, limits, disable, keys), spend by user, and teams. The admin page is
 * mounted at "/" alone, so the selected user or team lives in the query string (?user=, ?team=),
 * which keeps each panel linkable and the back button working.
 */
export function AdminPage() {
  const [params] = useSearchParams();
  return (
    <>
      <PageTitle>Admin</PageTitle>
      <section aria-labelledby="adm-users-title" className="card">
        <h2 id="adm-users-title">Users</h2>
        <UsersTable selectedId={params.get("user")} page={Math.max(1, Number(params.get("page")) || 1)} />
      </section>
      <section aria-labelledby="adm-new-user-title" className="card">
        <h2 id="adm-new-user-title">New user</h2>
        <CreateUserForm />
      </section>
      <SpendByUser />
      <AdminTeams selectedId={params.get("team")} />
    </>
  );
}
