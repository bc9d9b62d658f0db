/**
 * The pricing calculator's and the comparison's inputs in the query string, beside the
 * catalog's filters, so a priced view can be linked to and survives a reload:
 *   ?price=openai/gpt-4o-mini&price_in=1000&price_out=500&price_cached=0&price_requests=1
 *   ?compare=openai/gpt-4o-mini,anthropic/claude-sonnet-4-5&compare_in=1000&compare_out=500&compare_cached=0
 * A view is "asked" (its result shown) once its form was sent: the calculator when `price` is
 * there, the comparison when `compare_in` is. Each number is bounded as the API bounds it; what
 * is missing, out of bounds or not a number falls back to the default.
 */

/** The API's bounds (catalog-inputs.ts): tokens per request, requests, models per comparison. */
export const MAX_TOKENS = 100_000_000;
export const MAX_REQUESTS = 1_000_000_000;
export const MAX_COMPARE = 20;

/** Digits only (no sign, exponent or hex), a whole number in [min, max], or null. */
export function wholeNumber(text: string, min = 0, max = MAX_TOKENS): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,12}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= min && value <= max ? value : null;
}

/** Tokens per request. Cached tokens are part of the input tokens. */
export interface Workload {
  input: number;
  output: number;
  cached: number;
}

export const DEFAULT_WORKLOAD: Workload = { input: 1000, output: 500, cached: 0 };

export interface CalculatorParams {
  /** "provider/model"; null until a calculation was asked. */
  model: string | null;
  workload: Workload;
  requests: number;
}

export interface CompareParams {
  models: string[];
  /** Null until a comparison was asked. */
  workload: Workload | null;
}

/** The keys each view owns: writing one view leaves the others' keys (and the catalog's) alone. */
export const CALCULATOR_KEYS = ["price", "price_in", "price_out", "price_cached", "price_requests"] as const;
export const COMPARE_KEYS = ["compare", "compare_in", "compare_out", "compare_cached"] as const;

// A catalog key is "provider/model": a lower-case provider id, a slash, a model id of at most
// 200 characters without commas (the list's separator) or spaces.
const MODEL_KEY = /^[a-z][a-z0-9-]{0,30}\/[^\s,/][^\s,]{0,199}$/;

export function isModelKey(value: string): boolean {
  return MODEL_KEY.test(value);
}

function count(params: URLSearchParams, key: string, fallback: number, min: number, max: number): number {
  return wholeNumber(params.get(key) ?? "", min, max) ?? fallback;
}

function readWorkload(params: URLSearchParams, prefix: string): Workload {
  const input = count(params, `${prefix}_in`, DEFAULT_WORKLOAD.input, 0, MAX_TOKENS);
  const cached = count(params, `${prefix}_cached`, DEFAULT_WORKLOAD.cached, 0, MAX_TOKENS);
  return {
    input,
    output: count(params, `${prefix}_out`, DEFAULT_WORKLOAD.output, 0, MAX_TOKENS),
    // More cached than input tokens is no workload: none cached, rather than a refusal.
    cached: cached > input ? 0 : cached,
  };
}

function writeWorkload(out: URLSearchParams, prefix: string, workload: Workload): void {
  out.set(`${prefix}_in`, String(workload.input));
  out.set(`${prefix}_out`, String(workload.output));
  out.set(`${prefix}_cached`, String(workload.cached));
}

export function readCalculator(params: URLSearchParams): CalculatorParams {
  const model = params.get("price");
  return {
    model: model !== null && isModelKey(model) ? model : null,
    workload: readWorkload(params, "price"),
    requests: count(params, "price_requests", 1, 1, MAX_REQUESTS),
  };
}

export function writeCalculator(view: CalculatorParams): URLSearchParams {
  const out = new URLSearchParams();
  if (view.model === null) return out;
  out.set("price", view.model);
  writeWorkload(out, "price", view.workload);
  out.set("price_requests", String(view.requests));
  return out;
}

export function readCompare(params: URLSearchParams): CompareParams {
  const listed = (params.get("compare") ?? "").split(",").filter(isModelKey);
  return {
    models: [...new Set(listed)].slice(0, MAX_COMPARE),
    workload: params.has("compare_in") ? readWorkload(params, "compare") : null,
  };
}

export function writeCompare(view: CompareParams): URLSearchParams {
  const out = new URLSearchParams();
  if (view.models.length > 0) out.set("compare", view.models.join(","));
  if (view.workload !== null) writeWorkload(out, "compare", view.workload);
  return out;
}
