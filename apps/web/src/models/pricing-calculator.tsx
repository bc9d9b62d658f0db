import type { RouterInputs, RouterOutputs } from "@llmg/client";
import { skipToken, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { count, usdExact } from "../shared/format";
import { useTRPC } from "../trpc";
import { ModelSelect } from "./model-select";
import { isZero, perMillionExact } from "./price-text";
import { QueryState } from "./query-state";
import { parseRequests, parseWorkload, WorkloadInputs, workloadDraft } from "./workload-inputs";
import { type CalculatorParams, writeCalculator } from "./workload-params";

type PriceList = RouterOutputs["pricing"]["list"]["data"];
type Provider = RouterOutputs["providers"]["list"]["data"][number];
type CalculatorInput = RouterInputs["pricing"]["calculator"];
type Calculation = RouterOutputs["pricing"]["calculator"]["data"];

const LINES = [
  ["input", "Input (uncached)"],
  ["cache_read", "Cache reads"],
  ["cache_write", "Cache writes"],
  ["output", "Output"],
  ["reasoning", "Reasoning"],
] as const;

/** The exact cost of a request (and of N alike) on one model, as the API prices it. */
export function PricingCalculator({
  view,
  onAsk,
  priceList,
  providers,
}: {
  /** What the URL holds: the calculation shown, if one was asked. */
  view: CalculatorParams;
  onAsk: (view: CalculatorParams) => void;
  priceList: PriceList;
  providers: Provider[];
}) {
  const trpc = useTRPC();
  const first = priceList.models[0];
  const inCatalog = (key: string) => priceList.models.some((m) => `${m.provider}/${m.model}` === key);
  // A link to a model the catalog does not have asks nothing; the note below says so.
  const asked = view.model !== null && inCatalog(view.model) ? view.model : null;
  const fields = () => ({
    model: asked ?? (first ? `${first.provider}/${first.model}` : ""),
    workload: workloadDraft(view.workload),
    requests: String(view.requests),
  });
  const [draft, setDraft] = useState(fields);
  const [problem, setProblem] = useState<string | null>(null);
  // Back, Forward or a link changes the URL: the fields follow it (set while rendering, as
  // React advises for state derived from a prop, rather than in an effect a frame later).
  const urlKey = writeCalculator(view).toString();
  const [shownKey, setShownKey] = useState(urlKey);
  if (shownKey !== urlKey) {
    setShownKey(urlKey);
    setDraft(fields());
    setProblem(null);
  }
  // Nothing is asked until the form is sent (or the URL says it was).
  const slash = asked?.indexOf("/") ?? -1;
  const input: CalculatorInput | typeof skipToken =
    asked === null
      ? skipToken
      : {
          provider: asked.slice(0, slash) as CalculatorInput["provider"],
          model: asked.slice(slash + 1),
          input_tokens: view.workload.input,
          output_tokens: view.workload.output,
          cached_tokens: view.workload.cached,
          requests: view.requests,
        };
  const result = useQuery(trpc.pricing.calculator.queryOptions(input));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const workload = parseWorkload(draft.workload);
    const requests = parseRequests(draft.requests);
    if (draft.model === "") return setProblem("Pick a model.");
    if (typeof workload === "string") return setProblem(workload);
    if (requests === null) return setProblem("Give a whole number of requests, at least 1.");
    setProblem(null);
    onAsk({ model: draft.model, workload, requests });
  };

  return (
    <section aria-labelledby="calculator-title" className="card">
      <h2 id="calculator-title">Pricing calculator</h2>
      <form className="calc-form" onSubmit={submit}>
        <ModelSelect
          id="calc-model"
          label="Model to price"
          value={draft.model}
          onChange={(model) => setDraft({ ...draft, model })}
          priceList={priceList}
          providers={providers}
        />
        <WorkloadInputs
          idPrefix="calc"
          draft={draft.workload}
          onChange={(workload) => setDraft({ ...draft, workload })}
          requests={{ value: draft.requests, onChange: (requests) => setDraft({ ...draft, requests }) }}
        />
        {view.model !== null && asked === null && (
          <p className="muted" data-testid="calc-unknown-model">
            The link's model {view.model} is not in the catalog: pick one.
          </p>
        )}
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <div className="actions">
          <button type="submit">Calculate</button>
        </div>
      </form>
      {asked !== null && (
        <div aria-live="polite">
          <QueryState query={result}>{(answer) => <CalculationView calc={answer.data} />}</QueryState>
        </div>
      )}
    </section>
  );
}

function CalculationView({ calc }: { calc: Calculation }) {
  const lines = calc.per_request.breakdown;
  // Every rate zero: the catalog has no price for it, which is not the same as free.
  const unpriced = LINES.every(([kind]) => isZero(lines[kind].rate_per_token));
  return (
    <div className="calc-result" data-testid="calc-result">
      {unpriced ? (
        <p className="flag flag-unpriced" data-testid="calc-unpriced">
          No price: the catalog has no rates for {calc.provider}/{calc.model}, so this cost is unknown, not
          $0.
        </p>
      ) : (
        <dl className="facts">
          <div>
            <dt>
              Total for {count(calc.requests)} {calc.requests === 1 ? "request" : "requests"}
            </dt>
            <dd className="big-figure" data-testid="calc-total">
              {usdExact(calc.total.total_cost_exact)}
            </dd>
          </div>
          <div>
            <dt>Per request</dt>
            <dd data-testid="calc-per-request">{usdExact(calc.per_request.total_cost_exact)}</dd>
          </div>
          <div>
            <dt>Input / output per request</dt>
            <dd>
              {usdExact(calc.per_request.input_cost_exact)} / {usdExact(calc.per_request.output_cost_exact)}
            </dd>
          </div>
          <div>
            <dt>Price tier</dt>
            <dd>{calc.tier === null ? "base rates" : `prompts above ${count(calc.tier)} tokens`}</dd>
          </div>
        </dl>
      )}
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">What each kind of token costs per request</caption>
          <thead>
            <tr>
              <th scope="col">Tokens</th>
              <th scope="col" className="num">
                Count
              </th>
              <th scope="col" className="num">
                Rate / 1M
              </th>
              <th scope="col" className="num">
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {LINES.map(([kind, label]) => (
              <tr key={kind}>
                <th scope="row">{label}</th>
                <td className="num">{count(lines[kind].tokens)}</td>
                <td className="num">{usdExact(perMillionExact(lines[kind].rate_per_token))}</td>
                <td className="num">{usdExact(lines[kind].cost_exact)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {calc.price_date && <p className="muted small">Prices of {calc.price_date}.</p>}
    </div>
  );
}
