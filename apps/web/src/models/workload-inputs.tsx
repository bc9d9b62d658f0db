import { TokenField } from "./token-field";
import { MAX_REQUESTS, type Workload, wholeNumber } from "./workload-params";

/** The workload's fields as typed (text, so a half-typed number is kept as it is). */
export interface WorkloadDraft {
  input: string;
  output: string;
  cached: string;
}

export function workloadDraft(workload: Workload): WorkloadDraft {
  return { input: String(workload.input), output: String(workload.output), cached: String(workload.cached) };
}

/** The typed workload as numbers, or what is wrong with it (said before anything is asked). */
export function parseWorkload(draft: WorkloadDraft): Workload | string {
  const input = wholeNumber(draft.input);
  const output = wholeNumber(draft.output);
  const cached = wholeNumber(draft.cached);
  if (input === null || output === null || cached === null)
    return "Give whole token counts, from 0 to 100,000,000.";
  if (cached > input) return "Cached tokens are part of the input tokens: they cannot be more.";
  return { input, output, cached };
}

/** A request count typed, 1 to the API's bound, or null. */
export function parseRequests(text: string): number | null {
  return wholeNumber(text, 1, MAX_REQUESTS);
}

/**
 * The token counts of one request, shared by the calculator and the comparison (ids are
 * `${idPrefix}-input`, `-output`, `-cached`); the calculator adds its request count.
 */
export function WorkloadInputs({
  idPrefix,
  draft,
  onChange,
  requests,
}: {
  idPrefix: string;
  draft: WorkloadDraft;
  onChange: (draft: WorkloadDraft) => void;
  requests?: { value: string; onChange: (value: string) => void };
}) {
  return (
    <div className="calc-fields">
      <TokenField
        id={`${idPrefix}-input`}
        label="Input tokens"
        value={draft.input}
        onChange={(input) => onChange({ ...draft, input })}
      />
      <TokenField
        id={`${idPrefix}-output`}
        label="Output tokens"
        value={draft.output}
        onChange={(output) => onChange({ ...draft, output })}
      />
      <TokenField
        id={`${idPrefix}-cached`}
        label="Of which cached"
        value={draft.cached}
        onChange={(cached) => onChange({ ...draft, cached })}
      />
      {requests && (
        <TokenField
          id={`${idPrefix}-requests`}
          label="Requests"
          value={requests.value}
          onChange={requests.onChange}
          min={1}
        />
      )}
    </div>
  );
}
