import type { RouterInputs, RouterOutputs } from "@llmg/client";
import { skipToken, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { count, usdExact } from "../shared/format";
import { useTRPC } from "../trpc";
import { ModelSelect } from "./model-select";
import { isZero, perMillionExact } from "./price-text";
import { QueryState } from "./query-state";
import { TokenField, wholeNumber } from "./token-field";

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
export function PricingCalculator({ priceList, providers }: { priceList: PriceList; providers: Provider[] }) {
  const trpc = useTRPC();
  const first = priceList.models[0];
  const [model, setModel] = useState(first ? `${first.provider}/${first.model}` : "");
  const [inputTokens, setInputTokens] = useState("1000");
  const [outputTokens, setOutputTokens] = useState("500");
  const [cachedTokens, setCachedTokens] = useState("0");
  const [requests, setRequests] = useState("1");
  const [problem, setProblem] = useState<string | null>(null);
  const [asked, setAsked] = useState<CalculatorInput | null>(null);
  // Nothing is asked until the form is sent.
  const result = useQuery(trpc.pricing.calculator.queryOptions(asked ?? skipToken));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = wholeNumber(inputTokens);
    const output = wholeNumber(outputTokens);
    const cached = wholeNumber(cachedTokens);
    const times = wholeNumber(requests, 1);
    if (model === "" || input === null || output === null || cached === null || times === null) {
      setProblem("Pick a model and give whole token counts (requests at least 1).");
      return;
    }
    if (cached > input) {
      setProblem("Cached tokens are part of the input tokens: they cannot be more.");
      return;
    }
    setProblem(null);
    const slash = model.indexOf("/");
    setAsked({
      provider: model.slice(0, slash) as CalculatorInput["provider"],
      model: model.slice(slash + 1),
      input_tokens: input,
      output_tokens: output,
      cached_tokens: cached,
      requests: times,
    });
  };

  return (
    <section aria-labelledby="calculator-title" className="card">
      <h2 id="calculator-title">Pricing calculator</h2>
      <form className="calc-form" onSubmit={submit}>
        <ModelSelect
          id="calc-model"
          label="Model to price"
          value={model}
          onChange={setModel}
          priceList={priceList}
          providers={providers}
        />
        <div className="calc-fields">
          <TokenField id="calc-input" label="Input tokens" value={inputTokens} onChange={setInputTokens} />
          <TokenField
            id="calc-output"
            label="Output tokens"
            value={outputTokens}
            onChange={setOutputTokens}
          />
          <TokenField
            id="calc-cached"
            label="Of which cached"
            value={cachedTokens}
            onChange={setCachedTokens}
          />
          <TokenField id="calc-requests" label="Requests" value={requests} onChange={setRequests} min={1} />
        </div>
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
