import type { ParamRuleEntry, ParamRules } from "./types";

/** Rules every anthropic model follows (each cites its source). */
export const ANTHROPIC_PROVIDER_RULES: ParamRules = {};

/** Rules of particular anthropic models (each cites its source). */
export const ANTHROPIC_MODEL_RULES: readonly ParamRuleEntry[] = [];
