import type { RouterOutputs } from "@llmg/client";
import { count, usdExact } from "../shared/format";
import { isUnpriced, perMillionExact } from "./price-text";

type Model = RouterOutputs["models"]["list"]["data"][number];

/** One page of the catalog; a model without a price says so instead of showing $0. */
export function CatalogTable({ models, onCompare }: { models: Model[]; onCompare: (key: string) => void }) {
  return (
    <div className="table-wrap">
      <table className="table catalog-table">
        <caption className="visually-hidden">
          Models matching the filters, prices in USD per 1M tokens
        </caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Context
            </th>
            <th scope="col" className="num">
              Input / 1M
            </th>
            <th scope="col" className="num">
              Output / 1M
            </th>
            <th scope="col">Capabilities</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => {
            const key = `${m.provider}/${m.id}`;
            const unpriced = isUnpriced(m.prices);
            return (
              <tr key={key} data-testid="catalog-row">
                <th scope="row">
                  {m.name}
                  <br />
                  <span className="muted small">{key}</span>
                  {m.deprecated && <span className="flag flag-warning">deprecated</span>}
                </th>
                <td className="num">{m.context_window === null ? "—" : count(m.context_window)}</td>
                {unpriced ? (
                  <td className="num" colSpan={2}>
                    <span className="flag flag-unpriced">No price</span>
                  </td>
                ) : (
                  <>
                    <td className="num">{usdExact(perMillionExact(m.prices.per_token.input))}</td>
                    <td className="num">{usdExact(perMillionExact(m.prices.per_token.output))}</td>
                  </>
                )}
                <td className="caps">{m.capabilities.map((c) => c.replaceAll("_", " ")).join(", ")}</td>
                <td>
                  <button type="button" className="secondary small-button" onClick={() => onCompare(key)}>
                    Compare<span className="visually-hidden"> {key}</span>
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
