import type { RouterOutputs } from "@llmg/client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { day, usdShort } from "../shared/format";

type Chart = RouterOutputs["usage"]["charts"]["data"];

// Distinct in light and dark, and distinguishable with the common colour-vision deficiencies.
const COLORS = ["#2563eb", "#f59e0b", "#10b981", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#9ca3af"];

/** One stacked bar per UTC day, a segment per provider (the API sends every day, 0 when empty). */
export function CostPerDayChart({ chart }: { chart: Chart }) {
  const total = chart.series.reduce((sum, s) => sum + s.data.reduce((a, b) => a + b, 0), 0);
  if (total === 0) return <p className="muted">No spend this month yet.</p>;
  const rows = chart.labels.map((label, i) => {
    const row: Record<string, number | string> = { day: day(label) };
    for (const s of chart.series) row[s.name] = s.data[i] ?? 0;
    return row;
  });
  return (
    <figure className="chart" aria-label="Cost per day this month, stacked by provider">
      <ResponsiveContainer width="100%" height={280}>
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          {/* A fixed step between labels: recharts would measure each one's width otherwise. */}
          <XAxis
            dataKey="day"
            tick={{ fontSize: 12 }}
            interval={Math.max(0, Math.ceil(rows.length / 10) - 1)}
          />
          <YAxis tickFormatter={usdShort} tick={{ fontSize: 12 }} width={64} />
          <Tooltip formatter={(value) => usdShort(Number(value))} />
          <Legend />
          {chart.series.map((s, i) => (
            <Bar
              key={s.name}
              dataKey={s.name}
              stackId="cost"
              fill={COLORS[i % COLORS.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
