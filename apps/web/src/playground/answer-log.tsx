import { count, usdExact } from "../shared/format";

export interface LoggedAnswer {
  n: number;
  model: string;
  totalTokens: number;
  costUsd: string;
}

/** The answers of this visit, each with its exact cost (the usage chunk's cost_usd). */
export function AnswerLog({ answers }: { answers: LoggedAnswer[] }) {
  if (answers.length === 0) return <p className="muted">No answers yet on this visit.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Answers of this visit and what each cost</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {answers.map((a) => (
            <tr key={a.n}>
              <td>{a.n}</td>
              <th scope="row">{a.model}</th>
              <td className="num">{count(a.totalTokens)}</td>
              <td className="num">{usdExact(a.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
