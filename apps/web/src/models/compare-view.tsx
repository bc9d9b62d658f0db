import type { RouterInputs, RouterOutputs } from "@llmg/client";
import { skipToken, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { usdExact } from "../shared/format";
import { useTRPC } from "../trpc";
import { CompareChart } from "./compare-chart";
import { ModelSelect } from "./model-select";
import { isUnpricedTotal } from "./price-text";
import { QueryState } from "./query-state";
import { parseWorkload, WorkloadInputs, workloadDraft } from "./workload-inputs";
import { type CompareParams, DEFAULT_WORKLOAD, MAX_COMPARE } from "./workload-params";

type PriceList = RouterOutputs["pricing"]["list"]["data"];
type Provider = RouterOutputs["providers"]["list"]["data"][number];
type CompareInput = RouterInputs["pricing"]["compare"];
type Comparison = RouterOutputs["pricing"]["compare"]["data"];

/** Several models priced on one workload by the API's compare procedure, as a chart and exact costs. */
export function CompareView({
  view,
  onChange,
  priceList,
  providers,
}: {
  /** What the URL holds: the models picked and, once a comparison was asked, its workload. */
  view: CompareParams;
  onChange: (view: CompareParams, options?: { replace?: boolean }) => void;
  priceList: PriceList;
  providers: Provider[];
}) {
  const trpc = useTRPC();
  const picked = view.models;
  const [adding, setAdding] = useState("");
  const [workload, setWorkload] = useState(() => workloadDraft(view.workload ?? DEFAULT_WORKLOAD));
  const [problem, setProblem] = useState<string | null>(null);
  // Back, Forward or a link changes the asked workload: the fields follow it.
  const urlKey = view.workload === null ? "" : JSON.stringify(view.workload);
  const [shownKey, setShownKey] = useState(urlKey);
  if (shownKey !== urlKey) {
    setShownKey(urlKey);
    setWorkload(workloadDraft(view.workload ?? DEFAULT_WORKLOAD));
  }
  // Once asked, the comparison follows the picked models; nothing is asked before.
  const asked = view.workload !== null && picked.length > 0 ? view.workload : null;
  const input: CompareInput | typeof skipToken =
    asked === null
      ? skipToken
      : {
          models: picked,
          input_tokens: asked.input,
          output_tokens: asked.output,
          cached_tokens: asked.cached,
        };
  const result = useQuery(trpc.pricing.compare.queryOptions(input));

  const pick = (models: string[]) => onChange({ ...view, models }, { replace: true });

  const add = () => {
    if (adding === "" || picked.includes(adding) || picked.length >= MAX_COMPARE) return;
    pick([...picked, adding]);
    setAdding("");
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseWorkload(workload);
    if (picked.length === 0) return setProblem("Add at least one model.");
    if (typeof parsed === "string") return setProblem(parsed);
    setProblem(null);
    onChange({ models: picked, workload: parsed });
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
                  onClick={() => pick(picked.filter((k) => k !== key))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <WorkloadInputs idPrefix="compare" draft={workload} onChange={setWorkload} />
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
