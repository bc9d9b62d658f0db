import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useSearchParams } from "wouter";
import { PageTitle } from "../shared/page-title";
import { useTRPC } from "../trpc";
import { CHARTS, ChartCard } from "./chart-card";
import { UsageFilters } from "./usage-filters";
import { presetDates, readView, type UsageView, writeView } from "./usage-params";

/** Cost, requests, tokens and latency over a range, every choice kept in the URL. */
export function UsagePage() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  // Presets are counted from today; the day changes rarely enough to read the clock per URL.
  const view = useMemo(() => readView(new URLSearchParams(search), Date.now()), [search]);

  const providers = useQuery(trpc.providers.list.queryOptions({}));
  // The models used in the range, for the model filter's choices.
  const summary = useQuery(trpc.usage.summary.queryOptions({ from: view.from, to: view.to }));

  const change = (next: UsageView) => {
    // Leaving "custom" for a preset drops the dates; entering it starts from the current ones.
    const dates =
      next.range === "custom" ? { from: next.from, to: next.to } : presetDates(next.range, Date.now());
    setParams(writeView({ ...next, ...dates }));
  };

  return (
    <>
      <PageTitle>Usage</PageTitle>
      <UsageFilters
        view={view}
        onChange={change}
        providers={providers.data?.data ?? []}
        models={summary.data?.data.by_model ?? []}
      />
      <p className="muted small" data-testid="usage-window">
        {view.from} to {view.to} (UTC), per {view.granularity}
        {view.provider ? `, ${view.provider}` : ""}
        {view.model ? `, ${view.model}` : ""}
      </p>
      <div className="usage-grid">
        {CHARTS.map((chart) => (
          <ChartCard key={chart.type} {...chart} view={view} />
        ))}
      </div>
    </>
  );
}
