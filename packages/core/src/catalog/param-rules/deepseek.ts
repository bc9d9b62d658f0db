import type { ParamRuleEntry, ParamRules } from "./types";

/** Rules every deepseek model follows (each cites its source). */
export const DEEPSEEK_PROVIDER_RULES: ParamRules = {};

/** Rules of particular deepseek models (each cites its source). */
export const DEEPSEEK_MODEL_RULES: readonly ParamRuleEntry[] = [];
