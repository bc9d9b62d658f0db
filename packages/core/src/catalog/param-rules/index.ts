import type { ProviderId } from "../../provider-ids";
import type { ModelInfo } from "../types";
import { ANTHROPIC_MODEL_RULES, ANTHROPIC_PROVIDER_RULES } from "./anthropic";
import { DEEPSEEK_MODEL_RULES, DEEPSEEK_PROVIDER_RULES } from "./deepseek";
import { GOOGLE_MODEL_RULES, GOOGLE_PROVIDER_RULES } from "./google";
import { MISTRAL_MODEL_RULES, MISTRAL_PROVIDER_RULES } from "./mistral";
import { OPENAI_MODEL_RULES, OPENAI_PROVIDER_RULES } from "./openai";
import type { ParamRuleEntry, ParamRules } from "./types";

export type { MappableField, ParamRuleEntry, ParamRules } from "./types";
export { MAPPABLE_FIELDS } from "./types";

const PROVIDER_RULES: Record<ProviderId, ParamRules> = {
  anthropic: ANTHROPIC_PROVIDER_RULES,
  deepseek: DEEPSEEK_PROVIDER_RULES,
  google: GOOGLE_PROVIDER_RULES,
  mistral: MISTRAL_PROVIDER_RULES,
  openai: OPENAI_PROVIDER_RULES,
};

const ENTRIES: readonly ParamRuleEntry[] = [
  ...ANTHROPIC_MODEL_RULES,
  ...DEEPSEEK_MODEL_RULES,
  ...GOOGLE_MODEL_RULES,
  ...MISTRAL_MODEL_RULES,
  ...OPENAI_MODEL_RULES,
];

/** provider/id → the model's own rules; built once. */
const BY_MODEL = new Map<string, ParamRules>();
for (const entry of ENTRIES) {
  for (const id of entry.models) BY_MODEL.set(`${entry.provider}/${id}`, entry.rules);
}

const cache = new WeakMap<ModelInfo, ParamRules>();

/**
 * The rules that apply to a call of `model`: the provider's, then the model's own on top (looked
 * up by its id, then by each alias). Cached per catalog entry: this runs on every call.
 */
export function paramRulesFor(model: Pick<ModelInfo, "provider" | "id" | "aliases">): ParamRules {
  const cached = cache.get(model as ModelInfo);
  if (cached) return cached;
  const own =
    BY_MODEL.get(`${model.provider}/${model.id}`) ??
    model.aliases.map((alias) => BY_MODEL.get(`${model.provider}/${alias}`)).find((rules) => rules);
  const rules: ParamRules = own
    ? { ...PROVIDER_RULES[model.provider], ...own }
    : PROVIDER_RULES[model.provider];
  cache.set(model as ModelInfo, rules);
  return rules;
}
