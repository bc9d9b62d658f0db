import type { RouterOutputs } from "@llmg/client";
import { Empty } from "../shared/states";

type Member = RouterOutputs["teams"]["get"]["data"]["members"][number];

export function TeamMembers({ members }: { members: Member[] }) {
  if (members.length === 0) return <Empty>No members.</Empty>;
  return (
    <div className="table-wrap">
      <table className="table adm-medium" aria-label="Members">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Added</th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.user_id}>
              <th scope="row">{member.email}</th>
              <td>{member.name ?? "—"}</td>
              <td>{member.role}</td>
              <td>{new Date(member.added_at).toLocaleDateString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
