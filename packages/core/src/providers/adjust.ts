import type { MappableField, ParamRules } from "../catalog/param-rules";
import { MAPPABLE_FIELDS } from "../catalog/param-rules";
import { type ChatRequest, REASONING_EFFORTS, type ReasoningEffort } from "./schema";

/** One change made to a request so the provider accepts it, reported in `x-llmg-adjusted-params`. */
export interface Adjustment {
  /** The request field, in our (OpenAI) name. */
  param: string;
  /** dropped: not sent; clamped: sent as `value`; filtered: some entries removed; mapped: sent in another form. */
  action: "dropped" | "clamped" | "filtered" | "mapped";
  value?: number | string | boolean;
  /** Why, for logs and docs (never sent in the header). */
  reason: string;
}

export interface AdjustedRequest {
  /** The request to send; the very object passed in when nothing changed. */
  request: ChatRequest;
  adjusted: Adjustment[];
}

const blank = (value: string) => value.trim() === "";

/**
 * Applies a model's parameter rules and the provider's field support to a request: what the
 * model or provider refuses is dropped or clamped, and each change is listed. Pure and cheap when
 * there is nothing to change (this runs on every call).
 */
export function adjustRequest(
  req: ChatRequest,
  rules: ParamRules,
  mapped: ReadonlySet<MappableField>,
  provider: string,
): AdjustedRequest {
  const adjusted: Adjustment[] = [];
  let out: ChatRequest | undefined;
  const edit = (): ChatRequest => {
    out ??= { ...req };
    return out;
  };
  const drop = (field: MappableField, reason: string) => {
    delete edit()[field];
    adjusted.push({ param: field, action: "dropped", reason });
  };

  for (const field of MAPPABLE_FIELDS) {
    if (req[field] === undefined) continue;
    if (!mapped.has(field)) drop(field, `${provider} has no equivalent of ${field}`);
    else if (rules.unsupported?.includes(field)) drop(field, `the model does not accept ${field}`);
  }
  const current = () => out ?? req;

  const tier = current().service_tier;
  if (tier !== undefined && rules.serviceTiers && !rules.serviceTiers.includes(tier)) {
    drop("service_tier", `the catalog has no ${tier} prices for the model: the call would be billed wrong`);
  }

  const temperature = current().temperature;
  if (temperature !== undefined && rules.temperature) {
    const { only, max } = rules.temperature;
    if (only !== undefined && temperature !== only) {
      drop("temperature", `the model accepts temperature only as ${only}`);
    } else if (max !== undefined && temperature > max) {
      edit().temperature = max;
      adjusted.push({
        param: "temperature",
        action: "clamped",
        value: max,
        reason: `the model's range ends at ${max}`,
      });
    }
  }
  const topP = current().top_p;
  if (topP !== undefined && rules.topP) {
    const { only, min } = rules.topP;
    if (only !== undefined && topP !== only) drop("top_p", `the model accepts top_p only as ${only}`);
    else if (min !== undefined && topP < min) drop("top_p", `the model accepts top_p only from ${min}`);
  }
  if (rules.temperatureOrTopP && current().temperature !== undefined && current().top_p !== undefined) {
    drop("top_p", "the model refuses temperature and top_p together; temperature is kept");
  }
  const stop = current().stop;
  if (stop !== undefined && rules.stop) {
    const list = typeof stop === "string" ? [stop] : stop;
    let kept = rules.stop.nonBlank ? list.filter((value) => !blank(value)) : list;
    if (rules.stop.max !== undefined) kept = kept.slice(0, rules.stop.max);
    if (kept.length === 0) drop("stop", "the model refuses stop sequences made only of whitespace");
    else if (kept.length !== list.length) {
      edit().stop = kept;
      adjusted.push({
        param: "stop",
        action: "filtered",
        reason: "whitespace-only or extra stop sequences removed",
      });
    }
  }
  if (rules.maxTokensField === "max_completion_tokens" && current().max_tokens !== undefined) {
    const value = current().max_tokens;
    delete edit().max_tokens;
    edit().max_completion_tokens ??= value;
    adjusted.push({ param: "max_tokens", action: "mapped", reason: "the model wants max_completion_tokens" });
  }
  const withTools = (current().tools?.length ?? 0) > 0;
  const effort = current().reasoning_effort;
  if (withTools && rules.toolsWithReasoningEffort === "omit" && effort !== undefined && effort !== "none") {
    drop("reasoning_effort", "the model refuses reasoning_effort with function tools");
  } else if (
    withTools &&
    rules.toolsWithReasoningEffort === "none" &&
    effort !== "none" &&
    mapped.has("reasoning_effort")
  ) {
    edit().reasoning_effort = "none";
    adjusted.push({
      param: "reasoning_effort",
      action: "clamped",
      value: "none",
      reason: "the model takes function tools only with reasoning_effort none",
    });
  }
  const asked = current().reasoning_effort;
  if (asked !== undefined && rules.reasoningEfforts && !rules.reasoningEfforts.includes(asked)) {
    const value = nearestEffort(asked, rules.reasoningEfforts);
    edit().reasoning_effort = value;
    adjusted.push({
      param: "reasoning_effort",
      action: "clamped",
      value,
      reason: `the model does not take reasoning_effort ${asked}`,
    });
  }
  return { request: out ?? req, adjusted };
}

function nearestEffort(asked: ReasoningEffort, accepted: readonly ReasoningEffort[]): ReasoningEffort {
  const rank = (effort: ReasoningEffort) => REASONING_EFFORTS.indexOf(effort);
  const distance = (effort: ReasoningEffort) => Math.abs(rank(effort) - rank(asked));
  return accepted.reduce((best, effort) =>
    distance(effort) < distance(best) || (distance(effort) === distance(best) && rank(effort) > rank(best))
      ? effort
      : best,
  );
}

/** `temperature=clamped:1, top_p=dropped, stop=filtered`: the `x-llmg-adjusted-params` header value. */
export function formatAdjustments(adjusted: readonly Adjustment[]): string {
  return adjusted
    .map((item) => `${item.param}=${item.value === undefined ? item.action : `${item.action}:${item.value}`}`)
    .join(", ");
}
