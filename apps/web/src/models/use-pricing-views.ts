import { useMemo } from "react";
import { useSearchPatch } from "./url-search";
import {
  CALCULATOR_KEYS,
  type CalculatorParams,
  COMPARE_KEYS,
  type CompareParams,
  readCalculator,
  readCompare,
  writeCalculator,
  writeCompare,
} from "./workload-params";

/**
 * The calculator's and the comparison's views, read from the URL and written back to it. A
 * calculation or comparison asked is a new history entry (Back returns to the previous one); a
 * model added to or removed from the comparison replaces the current one.
 */
export function usePricingViews() {
  const { search, patch } = useSearchPatch();
  const calculator = useMemo(() => readCalculator(new URLSearchParams(search)), [search]);
  const compare = useMemo(() => readCompare(new URLSearchParams(search)), [search]);
  return {
    calculator,
    compare,
    askCalculation: (view: CalculatorParams) => patch(CALCULATOR_KEYS, writeCalculator(view)),
    changeCompare: (view: CompareParams, options?: { replace?: boolean }) =>
      patch(COMPARE_KEYS, writeCompare(view), options),
  };
}
