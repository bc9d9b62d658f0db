import type { MappableField, ParamRuleEntry, ParamRules } from "./types";

/** Rules every deepseek model follows (each cites its source). */
export const DEEPSEEK_PROVIDER_RULES: ParamRules = {};

/** Rules of particular deepseek models (each cites its source). */
export const DEEPSEEK_MODEL_RULES: readonly ParamRuleEntry[] = [
  {
    provider: "deepseek",
    models: ["deepseek-reasoner"],
    // "Not Supported Parameters: temperature, top_p, presence_penalty, frequency_penalty ...
    // setting [them] will not trigger an error but will also have no effect": a silent no-op,
    // so they are dropped and named instead.
    rules: { unsupported: ["temperature", "top_p", "presence_penalty", "frequency_penalty"] },
    source: "https://api-docs.deepseek.com/guides/reasoning_model (Not Supported Parameters)",
  },
];

/**
 * DeepSeek's thinking mode as catalog data, applied by the DeepSeek adapter's `adjust` (whether a
 * call thinks depends on the model and on the request's reasoning_effort).
 * Source: https://api-docs.deepseek.com/guides/thinking_mode ("Thinking Mode Toggle and Effort
 * Control": `thinking: {type: "enabled"|"disabled"}`, enabled by default; `reasoning_effort`).
 */
export const DEEPSEEK_THINKING = {
  /** Always think; `thinking` cannot switch it off (the reasoner is the thinking-mode model). */
  always: ["deepseek-reasoner"],
  /** Think unless `thinking: {type: "disabled"}` (reasoning_effort "none") says otherwise. */
  byDefault: ["deepseek-v4-pro", "deepseek-v4-flash"],
  /** Think only when `thinking: {type: "enabled"}` is sent (a reasoning_effort other than "none"). */
  onRequest: ["deepseek-chat"],
  /**
   * "Thinking mode does not support the temperature, presence_penalty, or frequency_penalty
   * parameters ... setting these parameters will not trigger an error but will also have no
   * effect": dropped and named, never a silent no-op.
   */
  ignored: ["temperature", "presence_penalty", "frequency_penalty"] as readonly MappableField[],
  source: "https://api-docs.deepseek.com/guides/thinking_mode",
} as const;
