import type { ParamRuleEntry, ParamRules } from "./types";

const SDK_MESSAGES = "anthropics/anthropic-sdk-typescript src/resources/messages/messages.ts";

/** Rules every anthropic model follows (each cites its source). */
export const ANTHROPIC_PROVIDER_RULES: ParamRules = {
  // Anthropic's temperature "ranges from 0.0 to 1.0" (https://docs.claude.com/en/api/messages,
  // `temperature`) where OpenAI's goes to 2: a higher value is clamped to 1 and reported.
  temperature: { max: 1 },
  // "stop_sequences: each stop sequence must contain non-whitespace" (400 invalid_request_error,
  // as reported in BerriAI/litellm#3286).
  stop: { nonBlank: true },
};

/**
 * Models released after Claude Opus 4.6. The SDK marks `temperature` and `top_p` deprecated:
 * "Models released after Claude Opus 4.6 do not support setting temperature. A value of 1.0 will
 * be accepted for backwards compatibility, all other values will be rejected with a 400 error";
 * "... do not support setting top_p. A value >= 0.99 will be accepted" (SDK_MESSAGES,
 * MessageCreateParamsBase; the SDK's `Model` union lists them above claude-opus-4-6).
 */
export const ANTHROPIC_AFTER_OPUS_4_6 = [
  "claude-opus-4-7",
  "claude-opus-4-7-20260416",
  "claude-opus-4-8",
  "claude-opus-5",
  "claude-sonnet-5",
  "claude-fable-5",
] as const;

/**
 * "temperature and top_p cannot both be specified for this model. Please use only one." (400,
 * as reported for Sonnet 4.5 in browseros-ai/BrowserOS#208, for Opus 4.1 in open-webui/functions#9,
 * for Sonnet 4.6 in drupal.org project/ai #3580249; Opus 4.5 and 4.6 as the brief's Opus 4.1–4.6).
 */
const ONE_SAMPLER = [
  "claude-sonnet-4-5",
  "claude-sonnet-4-5-20250929",
  "claude-haiku-4-5",
  "claude-haiku-4-5-20251001",
  "claude-opus-4-1",
  "claude-opus-4-1-20250805",
  "claude-opus-4-5",
  "claude-opus-4-5-20251101",
  "claude-opus-4-6",
  "claude-opus-4-6-20260205",
  "claude-sonnet-4-6",
];

/**
 * Models without extended thinking or structured outputs: thinking came with Claude 3.7 Sonnet
 * (https://docs.claude.com/en/docs/build-with-claude/extended-thinking, supported models) and
 * `output_config.format` with Sonnet 4.5 / Opus 4.1
 * (https://docs.claude.com/en/docs/build-with-claude/structured-outputs).
 */
const NO_THINKING = ["claude-3-haiku-20240307", "claude-3-opus-20240229"];
const NO_STRUCTURED_OUTPUT = [
  "claude-3-7-sonnet-20250219",
  "claude-4-opus-20250514",
  "claude-4-sonnet-20250514",
  "claude-opus-4-20250514",
  "claude-sonnet-4-20250514",
];

/** Rules of particular anthropic models (each cites its source). */
export const ANTHROPIC_MODEL_RULES: readonly ParamRuleEntry[] = [
  {
    provider: "anthropic",
    models: ANTHROPIC_AFTER_OPUS_4_6,
    rules: { temperature: { only: 1 }, topP: { min: 0.99 }, stop: { nonBlank: true } },
    source: `${SDK_MESSAGES} (MessageCreateParamsBase.temperature / top_p)`,
  },
  {
    provider: "anthropic",
    models: ONE_SAMPLER,
    rules: { temperature: { max: 1 }, temperatureOrTopP: true, stop: { nonBlank: true } },
    source: "https://github.com/browseros-ai/BrowserOS/issues/208",
  },
  {
    provider: "anthropic",
    models: NO_THINKING,
    rules: {
      temperature: { max: 1 },
      stop: { nonBlank: true },
      unsupported: ["reasoning_effort", "response_format"],
    },
    source: "https://docs.claude.com/en/docs/build-with-claude/extended-thinking",
  },
  {
    provider: "anthropic",
    models: NO_STRUCTURED_OUTPUT,
    rules: { temperature: { max: 1 }, stop: { nonBlank: true }, unsupported: ["response_format"] },
    source: "https://docs.claude.com/en/docs/build-with-claude/structured-outputs",
  },
];

/**
 * How a model is asked to think (data, looked up by the model id sent upstream):
 * - `adaptive`: `thinking: {type: "adaptive"}` and `output_config.effort`. Claude Opus 4.7 and
 *   later "only support adaptive thinking. Manual extended thinking (thinking.type: "enabled" with
 *   budget_tokens) ... not supported ... and will return a 400 error"; Opus 4.6 / Sonnet 4.6 have
 *   it and deprecate `enabled` (https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html,
 *   and SDK_MESSAGES `ThinkingConfigAdaptive`, `OutputConfig.effort`: low|medium|high|xhigh|max).
 * - `budget` (every other thinking model): `thinking: {type: "enabled", budget_tokens}`, "Must be
 *   ≥1024 and less than `max_tokens`" (SDK_MESSAGES `ThinkingConfigEnabled`). Older models "do not
 *   support adaptive thinking and require thinking.type: "enabled"" (the Bedrock page above).
 * `xhigh` is the effort level added with Opus 4.7 (the OpenRouter Claude 4.7 migration guide).
 */
export const ANTHROPIC_ADAPTIVE_THINKING: Readonly<Record<string, { xhigh: boolean }>> = {
  ...Object.fromEntries(ANTHROPIC_AFTER_OPUS_4_6.map((id) => [id, { xhigh: true }])),
  "claude-opus-4-6": { xhigh: false },
  "claude-opus-4-6-20260205": { xhigh: false },
  "claude-sonnet-4-6": { xhigh: false },
};
