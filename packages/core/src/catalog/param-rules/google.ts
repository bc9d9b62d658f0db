import type { ParamRuleEntry, ParamRules } from "./types";

/** Rules every google model follows (each cites its source). */
export const GOOGLE_PROVIDER_RULES: ParamRules = {};

/** Rules of particular google models (each cites its source). */
export const GOOGLE_MODEL_RULES: readonly ParamRuleEntry[] = [];
