import { useQuery } from "@tanstack/react-query";
import { PageTitle } from "../shared/page-title";
import { Loaded } from "../shared/settings-form";
import { useTRPC } from "../trpc";
import { AccountDetails } from "./account-details";
import { ActivityLog } from "./activity-log";

/**
 * Your account and its activity log. The API has no self-service changes to the account itself
 * (name, limits and email are the administrator's), so nothing here is editable.
 */
export function AccountPage() {
  const trpc = useTRPC();
  const account = useQuery(trpc.account.get.queryOptions({}));
  return (
    <>
      <PageTitle>Account</PageTitle>
      <section aria-labelledby="account-title" className="card">
        <h2 id="account-title">Details</h2>
        <Loaded query={account}>{(answer) => <AccountDetails account={answer.data} />}</Loaded>
      </section>
      <section aria-labelledby="activity-title" className="card">
        <h2 id="activity-title">Activity log</h2>
        <ActivityLog />
      </section>
    </>
  );
}
