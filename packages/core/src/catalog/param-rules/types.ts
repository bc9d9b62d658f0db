import type { ProviderId } from "../../provider-ids";
import type { ReasoningEffort } from "../../providers/schema";

/**
 * The optional request fields an adapter may or may not be able to send. A field a provider does
 * not map is dropped and named in `x-llmg-adjusted-params`, never silently ignored.
 */
export const MAPPABLE_FIELDS = [
  "temperature",
  "top_p",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "tools",
  "tool_choice",
  "response_format",
  "user",
  "reasoning_effort",
  "parallel_tool_calls",
  "prompt_cache_key",
  "service_tier",
] as const;

export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/**
 * What a model refuses of otherwise valid parameters, as data (the catalog's, not `if` chains on
 * model names). The adapter's `adjust` applies them before the request is built.
 */
export interface ParamRules {
  /** `only`: any other value is dropped (the model's default is that value); `max`: clamped. */
  readonly temperature?: { readonly only?: number; readonly max?: number };
  /** `min`: a lower value is dropped; `only`: any other value is dropped. */
  readonly topP?: { readonly min?: number; readonly only?: number };
  /** The model refuses temperature and top_p together: top_p is dropped, temperature kept. */
  readonly temperatureOrTopP?: boolean;
  /** Stop sequences made only of whitespace are refused: they are filtered out. `max`: extra ones dropped. */
  readonly stop?: { readonly nonBlank?: boolean; readonly max?: number };
  /** Fields the model refuses outright (e.g. sampling parameters on some reasoning models). */
  readonly unsupported?: readonly MappableField[];
  /** OpenAI reasoning models want the output cap as `max_completion_tokens`. */
  readonly maxTokensField?: "max_tokens" | "max_completion_tokens";
  /**
   * With function tools the model refuses `reasoning_effort`: `omit`: any value but "none" is
   * dropped; `none`: it must be "none" and is set so (the model's default effort is refused too).
   */
  readonly toolsWithReasoningEffort?: "omit" | "none";
  /**
   * The service tiers the catalog prices the model at. Another tier is dropped (and named): the
   * books would otherwise price a flex or priority call at the standard rates.
   */
  readonly serviceTiers?: readonly string[];
  /** The reasoning_effort values the model takes; another is clamped to the nearest (ties: the higher). */
  readonly reasoningEfforts?: readonly ReasoningEffort[];
}

/** Rules for a set of models, with the document they are taken from. */
export interface ParamRuleEntry {
  readonly provider: ProviderId;
  /** Exact model ids (catalog ids; a model's aliases match through its catalog entry). */
  readonly models: readonly string[];
  readonly rules: ParamRules;
  /** Where the rule is documented (URL or SDK file). */
  readonly source: string;
}
