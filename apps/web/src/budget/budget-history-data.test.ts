import { describe, expect, it } from "vitest";
import { hasSpend, historyFigures, historyRows, historyTooltip } from "./budget-history-data";
import type { HistoryPoint } from "./budget-types";

const point = (over: Partial<HistoryPoint>): HistoryPoint => ({
  period: "2026-11",
  start: "2026-11-01T00:00:00.000Z",
  spent_usd: 0,
  spent_usd_exact: "0",
  requests: 0,
  cumulative_usd: 0,
  cumulative_usd_exact: "0",
  limit_usd: null,
  limit_usd_exact: null,
  percent_of_limit: null,
  ...over,
});

describe("budget history", () => {
  it("shows the exact strings, never the display numbers", () => {
    // 0.1 + 0.2 as a float: the table shows the API's string.
    const p = point({
      spent_usd: 0.30000000000000004,
      spent_usd_exact: "0.300000000001",
      requests: 1234,
      limit_usd: 50,
      limit_usd_exact: "50",
      percent_of_limit: 0.6000000000002,
    });
    expect(historyFigures(p)).toEqual({
      month: "Nov 2026",
      spent: "$0.300000000001",
      requests: "1,234",
      limit: "$50",
      percent: "0.6 %",
    });
    expect(historyFigures(point({}))).toMatchObject({ limit: "no limit", percent: "—" });
  });

  it("charts the numbers, leaves a gap where no limit was set, and tooltips the exact strings", () => {
    const rows = historyRows([
      point({ period: "2026-10", start: "2026-10-01T00:00:00.000Z", spent_usd: 2, spent_usd_exact: "2" }),
      point({ spent_usd: 1.5, spent_usd_exact: "1.500000001", limit_usd: 5, limit_usd_exact: "5" }),
    ]);
    expect(rows.map((r) => [r.label, r.spent, r.limit])).toEqual([
      ["Oct 2026", 2, null],
      ["Nov 2026", 1.5, 5],
    ]);
    expect(historyTooltip(1.5, "spent", rows[1])).toBe("$1.500000001");
    expect(historyTooltip(5, "limit", rows[1])).toBe("$5");
    expect(historyTooltip(2, "other", rows[0])).toBe("$2.00");
  });

  it("is empty without a call in the range, even with a limit", () => {
    expect(hasSpend([point({ limit_usd_exact: "5", limit_usd: 5 })])).toBe(false);
    expect(hasSpend([point({ requests: 1 })])).toBe(true);
  });
});
