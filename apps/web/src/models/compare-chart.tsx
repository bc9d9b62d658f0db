import type { RouterOutputs } from "@llmg/client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { usdShort } from "../shared/format";
import { isUnpricedTotal } from "./price-text";

type Comparison = RouterOutputs["pricing"]["compare"]["data"];

/**
 * One bar per model, cheapest first (the API's order). The chart plots the display numbers;
 * the table beside it holds the exact costs.
 */
export function CompareChart({ comparison }: { comparison: Comparison }) {
  const tokens = comparison.input_tokens + comparison.output_tokens;
  // A model without a price gets no bar: a zero-length one would read as "free".
  const rows = comparison.models
    .filter((m) => !isUnpricedTotal(m.total_cost_exact, tokens))
    .map((m) => ({ model: m.model, cost: m.total_cost }));
  if (rows.length === 0) return <p className="muted">None of these models has a price to draw.</p>;
  const height = Math.max(160, rows.length * 36 + 40);
  return (
    <figure className="chart" aria-label="Cost per model for this workload">
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={usdShort} tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="model" width={130} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(value) => usdShort(Number(value))} />
          <Bar dataKey="cost" name="Cost" fill="#2563eb" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
