import { useQuery } from "@tanstack/react-query";
import { ErrorNote } from "../shared/errors";
import { PageTitle } from "../shared/page-title";
import { Loading } from "../shared/states";
import { useTRPC } from "../trpc";
import { CatalogSection } from "./catalog-section";
import { CompareView } from "./compare-view";
import { PricingCalculator } from "./pricing-calculator";
import { usePricingViews } from "./use-pricing-views";
import { MAX_COMPARE } from "./workload-params";

/**
 * The catalog with its filters, a cost calculator and a comparison of models on one workload:
 * every input of the three is in the URL, so a link or a reload shows the same view.
 */
export function ModelsPage() {
  const trpc = useTRPC();
  const providers = useQuery(trpc.providers.list.queryOptions({}));
  const priceList = useQuery(trpc.pricing.list.queryOptions({}));
  const { calculator, compare, askCalculation, changeCompare } = usePricingViews();

  const addToCompare = (key: string) => {
    if (compare.models.includes(key) || compare.models.length >= MAX_COMPARE) return;
    changeCompare({ ...compare, models: [...compare.models, key] }, { replace: true });
  };

  const failed = providers.error ?? priceList.error;
  return (
    <>
      <PageTitle>Models and pricing</PageTitle>
      {failed ? (
        <ErrorNote
          error={failed}
          onRetry={() => {
            void providers.refetch();
            void priceList.refetch();
          }}
        />
      ) : !providers.data || !priceList.data ? (
        <Loading />
      ) : (
        // The page's styles are scoped to this class (styles.css, "models" block).
        <div className="models-page">
          <CatalogSection providers={providers.data.data} onCompare={addToCompare} />
          <div className="two-columns even">
            <PricingCalculator
              view={calculator}
              onAsk={askCalculation}
              priceList={priceList.data.data}
              providers={providers.data.data}
            />
            <CompareView
              view={compare}
              onChange={changeCompare}
              priceList={priceList.data.data}
              providers={providers.data.data}
            />
          </div>
        </div>
      )}
    </>
  );
}
