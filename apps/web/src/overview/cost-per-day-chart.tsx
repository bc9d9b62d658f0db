import type { RouterOutputs } from "@llmg/client";
import { day, usdExact, usdShort } from "../shared/format";
import { seriesColor } from "../usage/series-colors";
import { StackedBarChart } from "./stacked-bar-chart";

type Chart = RouterOutputs["usage"]["charts"]["data"];

/** One stacked bar per UTC day, a segment per provider (the API sends every day, 0 when empty). */
export function CostPerDayChart({ chart }: { chart: Chart }) {
  const total = chart.series.reduce((sum, s) => sum + s.data.reduce((a, b) => a + b, 0), 0);
  if (total === 0) return <p className="muted">No spend this month yet.</p>;
  return (
    <figure className="chart" aria-label="Cost per day this month, stacked by provider">
      <StackedBarChart
        labels={chart.labels.map(day)}
        series={chart.series.map((s) => ({
          name: s.name,
          color: seriesColor(s.name),
          data: s.data,
          exact: s.data_exact,
        }))}
        height={280}
        formatValue={usdShort}
        describe={(label, provider, value, exact) =>
          `${label} · ${provider}: ${exact === undefined ? usdShort(value) : usdExact(exact)}`
        }
      />
    </figure>
  );
}
