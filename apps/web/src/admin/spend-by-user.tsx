import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { QueryState } from "../shared/admin-fields";
import { count, percent, usdExact } from "../shared/format";
import { Empty } from "../shared/states";
import { useTRPC } from "../trpc";

/** Rows listed one by one; the API sums the rest into "other". */
const SPEND_LIMIT = 50;

/** GET /api/admin/usage/users for this month (UTC), biggest spender first. */
export function SpendByUser() {
  const trpc = useTRPC();
  const spend = useQuery(trpc.admin.usageByUser.queryOptions({ limit: SPEND_LIMIT }));
  return (
    <section aria-labelledby="adm-spend-title" className="card">
      <h2 id="adm-spend-title">Spend by user this month</h2>
      <QueryState query={spend}>
        {({ data }) =>
          data.users.length === 0 ? (
            <Empty>No calls this month yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Spend by user">
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col" className="num">
                      Requests
                    </th>
                    <th scope="col" className="num">
                      Tokens
                    </th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                    <th scope="col" className="num">
                      Share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.users.map((u) => (
                    <tr key={u.user_id} data-testid={`spend-${u.user_id}`}>
                      <th scope="row">
                        <Link href={`/?user=${encodeURIComponent(u.user_id)}`}>{u.email ?? u.user_id}</Link>
                      </th>
                      <td className="num">{count(u.requests)}</td>
                      <td className="num">{count(u.total_tokens)}</td>
                      <td className="num">{usdExact(u.cost_usd_exact)}</td>
                      <td className="num">{percent(u.cost_share)}</td>
                    </tr>
                  ))}
                  {data.other && (
                    <tr data-testid="spend-other">
                      <th scope="row">Other ({count(data.other.users)} users)</th>
                      <td className="num">{count(data.other.requests)}</td>
                      <td className="num">{count(data.other.total_tokens)}</td>
                      <td className="num">{usdExact(data.other.cost_usd_exact)}</td>
                      <td className="num">{percent(data.other.cost_share)}</td>
                    </tr>
                  )}
                </tbody>
                <tfoot>
                  <tr data-testid="spend-total">
                    <th scope="row">All users</th>
                    <td className="num">{count(data.totals.requests)}</td>
                    <td className="num">{count(data.totals.total_tokens)}</td>
                    <td className="num">{usdExact(data.totals.cost_usd_exact)}</td>
                    <td />
                  </tr>
                </tfoot>
              </table>
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
