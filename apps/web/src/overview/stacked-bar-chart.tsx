import { useRef } from "react";
import { niceTicks } from "../shared/nice-ticks";
import { useWidth } from "../shared/use-width";

export interface StackedSeries {
  name: string;
  color: string;
  data: number[];
  /** The exact figure of each point, for its hover text (the bar's height is the number). */
  exact?: readonly string[] | undefined;
}

interface Props {
  labels: string[];
  series: StackedSeries[];
  height: number;
  /** An axis tick's text (a chart plots display numbers; exact figures are shown beside it). */
  formatValue: (value: number) => string;
  /** A bar's hover text for one segment: the exact figure when the series has one. */
  describe: (label: string, series: string, value: number, exact: string | undefined) => string;
}

const AXIS_WIDTH = 64;
const LABEL_HEIGHT = 20;
const TOP = 8;
// At most this many x labels, at a fixed step: no text measuring.
const MAX_X_LABELS = 10;

/**
 * One stacked bar per label, drawn as plain SVG. The Overview is the landing page: drawing its one
 * chart here keeps a charting library (about 110 KB gzipped) out of the first load.
 */
export function StackedBarChart({ labels, series, height, formatValue, describe }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.data[i] ?? 0), 0));
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks.at(-1) ?? 1;
  const plotWidth = Math.max(0, width - AXIS_WIDTH - 8);
  const plotHeight = height - TOP - LABEL_HEIGHT;
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const slot = labels.length > 0 ? plotWidth / labels.length : 0;
  // Early in a month a few days share the width: bars stay bars, not blocks.
  const barWidth = Math.min(40, Math.max(1, slot * 0.8));
  const labelEvery = Math.max(1, Math.ceil(labels.length / MAX_X_LABELS));

  return (
    <div ref={box}>
      {width > 0 && (
        <svg className="bar-chart" width={width} height={height} role="presentation">
          <g className="bar-chart-axis">
            {ticks.map((tick) => (
              <g key={tick}>
                <line x1={AXIS_WIDTH} x2={width - 8} y1={y(tick)} y2={y(tick)} strokeDasharray="3 3" />
                <text x={AXIS_WIDTH - 6} y={y(tick)} dy="0.32em" textAnchor="end">
                  {formatValue(tick)}
                </text>
              </g>
            ))}
            {labels.map((label, i) =>
              i % labelEvery === 0 ? (
                <text key={label} x={AXIS_WIDTH + slot * (i + 0.5)} y={height - 4} textAnchor="middle">
                  {label}
                </text>
              ) : null,
            )}
          </g>
          {labels.map((label, i) => {
            let base = 0;
            return (
              <g key={label}>
                {series.map((s) => {
                  const value = s.data[i] ?? 0;
                  if (value <= 0) return null;
                  const from = y(base);
                  base += value;
                  return (
                    <rect
                      key={s.name}
                      className="bar-segment"
                      x={AXIS_WIDTH + slot * i + (slot - barWidth) / 2}
                      y={y(base)}
                      width={barWidth}
                      height={Math.max(0, from - y(base))}
                      fill={s.color}
                    >
                      <title>{describe(label, s.name, value, s.exact?.[i])}</title>
                    </rect>
                  );
                })}
              </g>
            );
          })}
        </svg>
      )}
      <ul className="chart-legend">
        {series.map((s) => (
          <li key={s.name}>
            <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.name}
          </li>
        ))}
      </ul>
    </div>
  );
}
