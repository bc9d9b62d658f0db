export {
  addDecimals,
  compareDecimals,
  DecimalFormatError,
  type DecimalString,
  decimalFromNumber,
  decimalToNumber,
  formatDecimal,
  isDecimalString,
  maxDecimal,
  multiplyDecimal,
  normalizeDecimal,
  parseDecimal,
  roundDecimal,
  type ScaledDecimal,
  subtractDecimals,
} from "./decimal";
export { type CostBreakdown, InvalidUsageError, maxCostFor, priceUsage, type UsageCost } from "./price-usage";
export { MAX_USAGE_TOKENS, priceUsageConservatively, repairUsage } from "./repair-usage";
