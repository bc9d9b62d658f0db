import { count, month, usdExact, usdShort } from "../shared/format";
import type { HistoryPoint } from "./budget-types";

/** The months the Budget page charts: a year back, current month included. */
export const HISTORY_MONTHS = 12;

export interface HistoryRow {
  label: string;
  /** Numbers for the bars and the limit line only: figures are shown from the exact strings. */
  spent: number;
  limit: number | null;
  spentExact: string;
  limitExact: string | null;
}

/** One row per period for recharts; a month without a limit leaves a gap in the limit line. */
export function historyRows(points: HistoryPoint[]): HistoryRow[] {
  return points.map((p) => ({
    label: month(p.start),
    spent: p.spent_usd,
    limit: p.limit_usd,
    spentExact: p.spent_usd_exact,
    limitExact: p.limit_usd_exact,
  }));
}

/** A point's figures as the table under the chart shows them: exact USD, the limit's share. */
export function historyFigures(p: HistoryPoint) {
  return {
    month: month(p.start),
    spent: usdExact(p.spent_usd_exact),
    requests: count(p.requests),
    limit: p.limit_usd_exact === null ? "no limit" : usdExact(p.limit_usd_exact),
    percent: p.percent_of_limit === null ? "—" : `${p.percent_of_limit.toFixed(1)} %`,
  };
}

/** A tooltip's figure: the exact string behind a bar or the limit line, else the axis' short form. */
export function historyTooltip(value: unknown, dataKey: unknown, row: HistoryRow | undefined): string {
  const exact = dataKey === "spent" ? row?.spentExact : dataKey === "limit" ? row?.limitExact : undefined;
  return exact != null ? usdExact(exact) : usdShort(Number(value));
}

export const hasSpend = (points: HistoryPoint[]) => points.some((p) => p.requests > 0);
