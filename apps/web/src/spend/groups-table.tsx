import type { RouterOutputs } from "@llmg/client";
import { count, percent, usdExact } from "../shared/format";
import { Empty } from "../shared/states";
import { TableWrap } from "../shared/table-wrap";
import type { Dimension } from "./spend-params";

type Summary = RouterOutputs["usage"]["summary"]["data"];
type Group = NonNullable<Summary["groups"]>[number];

const NONE: Record<Dimension, string> = {
  tag: "(untagged)",
  key: "(no key)",
  team: "(no team)",
  model: "—",
  provider: "—",
};

function groupName(by: Dimension, group: Group): string {
  if (group.group === null) return NONE[by];
  if (by === "key") return `${group.name ?? group.group}${group.key_prefix ? ` (${group.key_prefix}…)` : ""}`;
  if (by === "team") return group.name ?? group.group;
  return group.group;
}

/** One row per group, biggest first as the API sends them; the rest summed in "other". */
export function GroupsTable({ by, summary }: { by: Dimension; summary: Summary }) {
  const groups = summary.groups ?? [];
  if (groups.length === 0) return <Empty>No calls in this period.</Empty>;
  return (
    <TableWrap label={`Spend by ${by}`}>
      <table className="table" data-testid="spend-groups">
        <caption className="visually-hidden">Spend by {by}</caption>
        <thead>
          <tr>
            <th scope="col">{by === "key" ? "API key" : by[0]?.toUpperCase() + by.slice(1)}</th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Saved by cache
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.group ?? "(none)"}>
              <th scope="row">{groupName(by, group)}</th>
              <td className="num">{usdExact(group.cost_usd_exact)}</td>
              <td className="num">{percent(group.cost_share)}</td>
              <td className="num">{count(group.requests)}</td>
              <td className="num">{count(group.total_tokens)}</td>
              <td className="num">{usdExact(group.saved_usd_exact)}</td>
            </tr>
          ))}
          {summary.other && (
            <tr>
              <th scope="row">
                {count(summary.other.groups)} more {by === "key" ? "keys" : `${by}s`}
              </th>
              <td className="num">{usdExact(summary.other.cost_usd_exact)}</td>
              <td className="num">{percent(summary.other.cost_share)}</td>
              <td className="num">{count(summary.other.requests)}</td>
              <td className="num">{count(summary.other.total_tokens)}</td>
              <td className="num">{usdExact(summary.other.saved_usd_exact)}</td>
            </tr>
          )}
        </tbody>
      </table>
      {by === "tag" && (
        <p className="muted small">
          A call with several tags counts fully under each, so the tags can add up to more than the total.
        </p>
      )}
    </TableWrap>
  );
}
