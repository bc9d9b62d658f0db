import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNote } from "../shared/errors";
import { PageTitle } from "../shared/page-title";
import { Loading } from "../shared/states";
import { useTRPC } from "../trpc";
import { CatalogSection } from "./catalog-section";
import { CompareView, MAX_COMPARE } from "./compare-view";
import { PricingCalculator } from "./pricing-calculator";

/** The catalog with its filters, a cost calculator and a comparison of models on one workload. */
export function ModelsPage() {
  const trpc = useTRPC();
  const providers = useQuery(trpc.providers.list.queryOptions({}));
  const priceList = useQuery(trpc.pricing.list.queryOptions({}));
  const [compared, setCompared] = useState<string[]>([]);

  const addToCompare = (key: string) =>
    setCompared((list) => (list.includes(key) || list.length >= MAX_COMPARE ? list : [...list, key]));

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
            <PricingCalculator priceList={priceList.data.data} providers={providers.data.data} />
            <CompareView
              picked={compared}
              onPick={setCompared}
              priceList={priceList.data.data}
              providers={providers.data.data}
            />
          </div>
        </div>
      )}
    </>
  );
}
