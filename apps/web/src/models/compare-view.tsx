import type { RouterInputs, RouterOutputs } from "@llmg/client";
import { skipToken, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { usdExact } from "../shared/format";
import { useTRPC } from "../trpc";
import { CompareChart } from "./compare-chart";
import { ModelSelect } from "./model-select";
import { isUnpricedTotal } from "./price-text";
import { QueryState } from "./query-state";
import { TokenField, wholeNumber } from "./token-field";

type PriceList = RouterOutputs["pricing"]["list"]["data"];
type Provider = RouterOutputs["providers"]["list"]["data"][number];
type CompareInput = RouterInputs["pricing"]["compare"];
type Comparison = RouterOutputs["pricing"]["compare"]["data"];

/** The API's own limit on one comparison. */
export const MAX_COMPARE = 20;

/** Several models priced on one workload by the API's compare procedure, as a chart and exact costs. */
export function CompareView({
  picked,
  onPick,
  priceList,
  providers,
}: {
  picked: string[];
  onPick: (models: string[]) => void;
  priceList: PriceList;
  providers: Provider[];
}) {
  const trpc = useTRPC();
  const [adding, setAdding] = useState("");
  const [inputTokens, setInputTokens] = useState("1000");
  const [outputTokens, setOutputTokens] = useState("500");
  const [problem, setProblem] = useState<string | null>(null);
  const [asked, setAsked] = useState<CompareInput | null>(null);
  // Nothing is asked until the form is sent.
  const result = useQuery(trpc.pricing.compare.queryOptions(asked ?? skipToken));

  const add = () => {
    if (adding === "" || picked.includes(adding) || picked.length >= MAX_COMPARE) return;
    onPick([...picked, adding]);
    setAdding("");
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = wholeNumber(inputTokens);
    const output = wholeNumber(outputTokens);
    if (picked.length === 0 || input === null || output === null) {
      setProblem("Add at least one model and give whole token counts.");
      return;
    }
    setProblem(null);
    setAsked({ models: picked, input_tokens: input, output_tokens: output });
  };

  return (
    <section aria-labelledby="compare-title" className="card">
      <h2 id="compare-title">Compare models on one workload</h2>
      <form onSubmit={submit} className="compare-form">
        <div className="add-model">
          <ModelSelect
            id="compare-add"
            label="Model to add"
            value={adding}
            onChange={setAdding}
            priceList={priceList}
            providers={providers}
            placeholder="Pick a model…"
          />
          <button
            type="button"
            className="secondary"
            onClick={add}
            disabled={adding === "" || picked.length >= MAX_COMPARE}
          >
            Add to comparison
          </button>
        </div>
        {picked.length === 0 ? (
          <p className="muted">No model picked yet: add some here or with Compare in the catalog.</p>
        ) : (
          <ul className="chips" aria-label="Models to compare">
            {picked.map((key) => (
              <li key={key} className="chip">
                {key}
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={`Remove ${key}`}
                  onClick={() => onPick(picked.filter((k) => k !== key))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="calc-fields">
          <TokenField id="compare-input" label="Input tokens" value={inputTokens} onChange={setInputTokens} />
          <TokenField
            id="compare-output"
            label="Output tokens"
            value={outputTokens}
            onChange={setOutputTokens}
          />
        </div>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <div className="actions">
          <button type="submit">Compare</button>
        </div>
      </form>
      {asked !== null && (
        <div aria-live="polite">
          <QueryState query={result}>{(answer) => <ComparisonView comparison={answer.data} />}</QueryState>
        </div>
      )}
    </section>
  );
}

function ComparisonView({ comparison }: { comparison: Comparison }) {
  return (
    <div className="compare-result" data-testid="compare-result">
      <CompareChart comparison={comparison} />
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">
            Exact cost per model for this workload, cheapest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">
                Input
              </th>
              <th scope="col" className="num">
                Output
              </th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                × cheapest
              </th>
            </tr>
          </thead>
          <tbody>
            {comparison.models.map((m) => {
              const key = `${m.provider}/${m.model}`;
              const unpriced = isUnpricedTotal(
                m.total_cost_exact,
                comparison.input_tokens + comparison.output_tokens,
              );
              return (
                <tr key={key} data-testid="compare-row">
                  <th scope="row">
                    {m.rank}. {key}
                  </th>
                  {unpriced ? (
                    <td className="num" colSpan={4}>
                      <span className="flag flag-unpriced">No price</span>
                    </td>
                  ) : (
                    <>
                      <td className="num">{usdExact(m.input_cost_exact)}</td>
                      <td className="num">{usdExact(m.output_cost_exact)}</td>
                      <td className="num" data-testid="compare-total">
                        {usdExact(m.total_cost_exact)}
                      </td>
                      <td className="num">
                        {m.ratio_to_cheapest === null ? "—" : `${m.ratio_to_cheapest}×`}
                      </td>
                    </>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
