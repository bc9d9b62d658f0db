import type { ParamRuleEntry, ParamRules } from "./types";

/** Rules every mistral model follows (each cites its source). */
export const MISTRAL_PROVIDER_RULES: ParamRules = {};

/** Rules of particular mistral models (each cites its source). */
export const MISTRAL_MODEL_RULES: readonly ParamRuleEntry[] = [];
