import type { RouterOutputs } from "@llmg/client";
import { count, percent, usdExact } from "../shared/format";
import { TableWrap } from "../shared/table-wrap";

type Summary = RouterOutputs["usage"]["summary"]["data"];

const TOP = 5;

export function TopModels({ summary }: { summary: Summary }) {
  // The API lists every model; the page keeps the five that cost the most.
  const models = [...summary.by_model].sort((a, b) => b.cost_usd - a.cost_usd).slice(0, TOP);
  if (models.length === 0) return <p className="muted">No calls this month yet.</p>;
  return (
    <TableWrap label="Top models by cost">
      <table className="table">
        <caption className="visually-hidden">The {TOP} models that cost the most this month</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num">
              Requests
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={`${m.provider}/${m.model}`}>
              <th scope="row">
                <span className="muted">{m.provider}/</span>
                {m.model}
              </th>
              <td className="num">{usdExact(m.cost_usd_exact)}</td>
              <td className="num">{percent(m.cost_share)}</td>
              <td className="num">{count(m.requests)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
