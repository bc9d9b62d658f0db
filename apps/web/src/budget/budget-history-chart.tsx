import { useMemo } from "react";
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { usdShort } from "../shared/format";
import { type HistoryRow, historyRows, historyTooltip } from "./budget-history-data";
import type { HistoryPoint } from "./budget-types";

// The Usage page's first two colours: spend blue, the limit a contrasting magenta.
const SPENT = "#2563eb";
const LIMIT = "#db2777";

/** Spend per month as bars, the limit in force each month as a stepped line over them. */
export function BudgetHistoryChart({ points, label }: { points: HistoryPoint[]; label: string }) {
  const rows = useMemo(() => historyRows(points), [points]);
  return (
    <figure className="chart" aria-label={label}>
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          {/* A fixed step between labels: recharts would measure each one's width otherwise. */}
          <XAxis
            dataKey="label"
            tick={{ fontSize: 12 }}
            interval={Math.max(0, Math.ceil(rows.length / 4) - 1)}
          />
          <YAxis tickFormatter={usdShort} tick={{ fontSize: 12 }} width={64} />
          <Tooltip
            formatter={(value, _name, item) =>
              historyTooltip(value, item.dataKey, item.payload as HistoryRow | undefined)
            }
          />
          <Legend />
          <Bar dataKey="spent" name="Spent" fill={SPENT} isAnimationActive={false} />
          <Line
            dataKey="limit"
            name="Monthly limit"
            type="stepAfter"
            stroke={LIMIT}
            strokeWidth={2}
            strokeDasharray="6 3"
            // Dotted too: a limit set only this month is a single point, which a line alone hides.
            dot={{ r: 3, fill: LIMIT }}
            // A month without a limit has none to draw: a gap, not a drop to $0.
            connectNulls={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
