export {
  AmbiguousModelError,
  type Catalog,
  type CatalogOptions,
  createCatalog,
  defaultCatalog,
  isDeprecated,
} from "./catalog";
export { displayNameFor } from "./display-name";
export { applyPricingOverrides, type OverrideOptions, PricingOverrideError } from "./overrides";
export {
  MAPPABLE_FIELDS,
  type MappableField,
  type ParamRuleEntry,
  type ParamRules,
  paramRulesFor,
} from "./param-rules";
export { PROVIDERS } from "./providers";
export type {
  Capability,
  ModelInfo,
  ModelPrices,
  PriceSource,
  PriceTier,
  ProviderAuth,
  ProviderInfo,
} from "./types";
export { CAPABILITIES } from "./types";
