import type { ParamRuleEntry, ParamRules } from "./types";

/**
 * Rules every openai model follows (each cites its source). A model without its own entry is a
 * non-reasoning model: `reasoning_effort` is refused with 400 "Unrecognized request argument
 * supplied: reasoning_effort" (as reported in github.com/davidmigloz/langchain_dart/issues/712 for
 * gpt-4o-mini and github.com/AAswordman/Operit/issues/1048 for gpt-4o), so it is dropped.
 */
export const OPENAI_PROVIDER_RULES: ParamRules = {
  unsupported: ["reasoning_effort"],
  // Flex and priority processing are billed at their own rates (platform.openai.com/docs/pricing,
  // "Flex" and "Priority" tables), which the catalog does not carry: only the standard tier is
  // sent ("auto" and "default" run at standard rates unless the project opted into another tier).
  serviceTiers: ["auto", "default"],
};

/**
 * What every OpenAI reasoning model (o-series, gpt-5 family) refuses of the sampling controls:
 * - `max_tokens`: "Unsupported parameter: 'max_tokens' is not supported with this model. Use
 *   'max_completion_tokens' instead." (openai-node src/resources/chat/completions/completions.ts:
 *   max_tokens "is not compatible with o-series models"; the error as reported in
 *   github.com/griptape-ai/ComfyUI-Griptape/issues/312 for gpt-5);
 * - temperature and top_p other than the default 1: "Unsupported value: 'temperature' does not
 *   support 0 with this model. Only the default (1) value is supported." (as reported in
 *   github.com/gabrii/Cursor-Azure-GPT-5/issues/33, github.com/johny-b/llmcomp/issues/69 for
 *   gpt-5.4, github.com/ItzCrazyKns/Vane/issues/1173 for gpt-5.6; top_p in
 *   github.com/HIllya51/LunaTranslator/issues/1842);
 * - presence_penalty and frequency_penalty (platform.openai.com/docs/guides/reasoning#limitations,
 *   as quoted in github.com/vercel/ai/issues/10932).
 * gpt-5.1 and later accept temperature/top_p with reasoning_effort "none" (same thread); the
 * gateway still drops them, which the API always accepts.
 */
const REASONING: ParamRules = {
  maxTokensField: "max_completion_tokens",
  temperature: { only: 1 },
  topP: { only: 1 },
  unsupported: ["presence_penalty", "frequency_penalty"],
};

const REASONING_SOURCE =
  "openai-node src/resources/chat/completions/completions.ts (max_tokens); platform.openai.com/docs/guides/reasoning#limitations";

/**
 * The reasoning_effort values each family takes ("Not all reasoning models support every value",
 * openai-node src/resources/shared.ts ReasoningEffort). o-series: low, medium, high; `minimal` came
 * with gpt-5; "All models before gpt-5.1 ... do not support none", "xhigh is supported for all
 * models after gpt-5.1-codex-max" (learn.microsoft.com/en-us/javascript/api/@azure/ai-projects/reasoningeffort,
 * OpenAI's ReasoningEffort documentation). gpt-5.1: "Supported values are: 'none', 'low', 'medium',
 * and 'high'." (as reported in github.com/openai/openai-agents-python/issues/2089); gpt-5.6:
 * "Supported values are: 'none', 'low', 'medium', 'high', 'xhigh'." (as reported in
 * github.com/livekit/agents/pull/7169). gpt-5.4 and gpt-5.5 are left unconstrained: no source.
 */
const O_SERIES_EFFORTS = ["low", "medium", "high"] as const;
const GPT5_EFFORTS = ["minimal", "low", "medium", "high"] as const;
const GPT51_EFFORTS = ["none", "low", "medium", "high"] as const;
const GPT52_EFFORTS = ["none", "low", "medium", "high", "xhigh"] as const;

/** Rules of particular openai models (each cites its source). */
export const OPENAI_MODEL_RULES: readonly ParamRuleEntry[] = [
  {
    provider: "openai",
    models: ["o1", "o3-mini"],
    rules: { ...REASONING, reasoningEfforts: O_SERIES_EFFORTS },
    source: REASONING_SOURCE,
  },
  {
    provider: "openai",
    models: ["o3", "o4-mini"],
    // `stop`: "Not supported with latest reasoning models `o3` and `o4-mini`."
    rules: {
      ...REASONING,
      unsupported: [...(REASONING.unsupported ?? []), "stop"],
      reasoningEfforts: O_SERIES_EFFORTS,
    },
    source: "openai-node src/resources/chat/completions/completions.ts (ChatCompletionCreateParamsBase.stop)",
  },
  {
    provider: "openai",
    models: ["gpt-5", "gpt-5-mini", "gpt-5-nano"],
    rules: { ...REASONING, reasoningEfforts: GPT5_EFFORTS },
    source: REASONING_SOURCE,
  },
  {
    provider: "openai",
    models: ["gpt-5.1"],
    rules: { ...REASONING, reasoningEfforts: GPT51_EFFORTS },
    source: `${REASONING_SOURCE}; github.com/openai/openai-agents-python/issues/2089`,
  },
  {
    provider: "openai",
    models: ["gpt-5.2"],
    rules: { ...REASONING, reasoningEfforts: GPT52_EFFORTS },
    source: `${REASONING_SOURCE}; learn.microsoft.com/en-us/javascript/api/@azure/ai-projects/reasoningeffort`,
  },
  {
    provider: "openai",
    models: ["gpt-5.4-mini", "gpt-5.4-nano"],
    rules: REASONING,
    source: REASONING_SOURCE,
  },
  {
    provider: "openai",
    models: ["gpt-5.4", "gpt-5.5"],
    // "Function tools with reasoning_effort are not supported for gpt-5.4 in /v1/chat/completions.
    // Please use /v1/responses instead." (param reasoning_effort).
    rules: { ...REASONING, toolsWithReasoningEffort: "omit" },
    source:
      "github.com/pipecat-ai/pipecat/issues/4043, github.com/openai/openai-openapi/issues/541 (gpt-5.4), github.com/Science-Discovery/Aether/issues/1026 (gpt-5.5)",
  },
  {
    provider: "openai",
    models: ["gpt-5.6", "gpt-5.6-luna", "gpt-5.6-sol", "gpt-5.6-terra"],
    // "Function tools with reasoning_effort are not supported for gpt-5.6-luna in
    // /v1/chat/completions. To use function tools, use /v1/responses or set reasoning_effort to
    // 'none'." The family applies a default effort, so only an explicit "none" passes.
    rules: { ...REASONING, toolsWithReasoningEffort: "none", reasoningEfforts: GPT52_EFFORTS },
    source:
      "github.com/BerriAI/litellm/pull/34569, github.com/livekit/agents/pull/7169, github.com/ItzCrazyKns/Vane/issues/1173",
  },
];
