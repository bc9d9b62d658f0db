import { useMemo } from "react";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { usdExact } from "../shared/format";
import { bucketLabel, type Chart, chartRows, exactPoint, figure } from "./chart-data";
import { seriesColor } from "./series-colors";

// Past this many buckets bars get thinner than a pixel per series; stacked areas draw one path
// per series instead, which also keeps 90 days of hours cheap to render.
const MAX_BARS = 120;

/**
 * One chart of the API's series: latency as lines (avg, p50, p95 do not add up), the other
 * measures stacked per group, as bars or, for long ranges, as areas.
 */
/** Every n-th bucket labelled (recharts' interval: n − 1 skipped between two labels). */
function labelStep(buckets: number): number {
  return Math.max(0, Math.ceil(buckets / 10) - 1);
}

export function UsageChart({ chart, title }: { chart: Chart; title: string }) {
  const rows = useMemo(() => chartRows(chart), [chart]);
  const granularity = chart.granularity;
  const type = chart.type;
  const axis = useMemo(
    () => ({
      x: (iso: string) => bucketLabel(iso, granularity),
      y: (value: number) => figure(type, value),
    }),
    [granularity, type],
  );

  const common = {
    data: rows,
    margin: { top: 8, right: 8, bottom: 0, left: 8 },
  };
  const grid = <CartesianGrid strokeDasharray="3 3" vertical={false} />;
  // A fixed step between labels (about ten of them): with its default interval recharts
  // measures every label's width in the page on every render (90 buckets × 4 charts).
  const xAxis = (
    <XAxis dataKey="t" tickFormatter={axis.x} tick={{ fontSize: 12 }} interval={labelStep(rows.length)} />
  );
  const yAxis = <YAxis tickFormatter={axis.y} tick={{ fontSize: 12 }} width={72} />;
  // A cost point shows its exact string; the rest their rounded figure.
  const tooltip = (
    <Tooltip
      labelFormatter={(label) => axis.x(String(label))}
      formatter={(v, _name, item) => {
        const exact = exactPoint(item.dataKey, item.payload);
        return exact !== null ? usdExact(exact) : axis.y(Number(v));
      }}
    />
  );
  const names = chart.series.map((s) => s.label ?? s.name);

  let body: React.ReactElement;
  if (type === "latency") {
    body = (
      <LineChart {...common}>
        {grid}
        {xAxis}
        {yAxis}
        {tooltip}
        <Legend />
        {chart.series.map((s, j) => (
          <Line
            key={s.name}
            type="linear"
            dataKey={`s${j}`}
            name={names[j]}
            stroke={seriesColor(s.name)}
            strokeWidth={2}
            dot={rows.length <= 31}
            // A bucket without a successful call has no latency: a gap, not a dip to 0 ms.
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    );
  } else if (rows.length > MAX_BARS) {
    body = (
      <AreaChart {...common}>
        {grid}
        {xAxis}
        {yAxis}
        {tooltip}
        <Legend />
        {chart.series.map((s, j) => (
          <Area
            key={s.name}
            type="step"
            dataKey={`s${j}`}
            name={names[j]}
            stackId="all"
            stroke={seriesColor(s.name)}
            fill={seriesColor(s.name)}
            fillOpacity={0.6}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    );
  } else {
    body = (
      <BarChart {...common}>
        {grid}
        {xAxis}
        {yAxis}
        {tooltip}
        <Legend />
        {chart.series.map((s, j) => (
          <Bar
            key={s.name}
            dataKey={`s${j}`}
            name={names[j]}
            stackId="all"
            fill={seriesColor(s.name)}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    );
  }

  return (
    <figure className="chart" aria-label={title}>
      <ResponsiveContainer width="100%" height={260}>
        {body}
      </ResponsiveContainer>
    </figure>
  );
}
