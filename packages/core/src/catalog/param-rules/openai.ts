import type { ParamRuleEntry, ParamRules } from "./types";

/** Rules every openai model follows (each cites its source). */
export const OPENAI_PROVIDER_RULES: ParamRules = {};

/** Rules of particular openai models (each cites its source). */
export const OPENAI_MODEL_RULES: readonly ParamRuleEntry[] = [];
