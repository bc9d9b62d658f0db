import { describe, expect, it } from "vitest";
import { type Chart, chartRows, exactPoint, figure, seriesTotals, totalFigure } from "./chart-data";

const chart = (type: Chart["type"], series: Chart["series"]): Chart => ({
  type,
  granularity: "day",
  group_by: "provider",
  from: "2026-11-01T00:00:00.000Z",
  to: "2026-11-03T00:00:00.000Z",
  unit: "usd",
  labels: ["2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z"],
  series,
});

describe("chart data", () => {
  it("keys series by position: a model name's dot would be a path to recharts", () => {
    const rows = chartRows(chart("cost", [{ name: "openai/gpt-4.1", data: [0.1, 0.2] }]));
    expect(rows).toEqual([
      { t: "2026-11-01T00:00:00.000Z", s0: 0.1 },
      { t: "2026-11-02T00:00:00.000Z", s0: 0.2 },
    ]);
  });

  it("leaves a gap where a latency bucket had no call", () => {
    const rows = chartRows(chart("latency", [{ name: "p95", data: [0, 120] }]));
    expect(rows.map((r) => r.s0)).toEqual([null, 120]);
  });

  it("sums each series (latency: its peak) and shows sums without float noise", () => {
    const totals = seriesTotals(chart("cost", [{ name: "openai", data: [0.1, 0.2] }]));
    expect(totals).toEqual([{ name: "openai", value: 0.1 + 0.2, exact: null }]);
    expect(figure("cost", 0.1 + 0.2)).toBe("$0.3");
    expect(figure("cost", 0.00018)).toBe("$0.00018");
    expect(figure("cost", 0)).toBe("$0");
    expect(figure("tokens", 12345)).toBe("12,345");
    expect(seriesTotals(chart("latency", [{ name: "p95", data: [0, 120, 80] }]))[0]?.value).toBe(120);
  });

  it("shows a cost series' sum as the API's exact string, and each point's in the tooltip", () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floats; the API's exact sum is what is shown.
    const cost = chart("cost", [
      { name: "openai", data: [0.1, 0.2], data_exact: ["0.1", "0.2"], total_exact: "0.3" },
      {
        name: "google",
        data: [0.000000001, 0],
        data_exact: ["0.000000001234", "0"],
        total_exact: "0.000000001234",
      },
    ]);
    const totals = seriesTotals(cost);
    expect(totals.map((t) => totalFigure("cost", t))).toEqual(["$0.3", "$0.000000001234"]);
    const rows = chartRows(cost);
    expect(rows[0]).toEqual({
      t: "2026-11-01T00:00:00.000Z",
      s0: 0.1,
      x0: "0.1",
      s1: 0.000000001,
      x1: "0.000000001234",
    });
    expect(exactPoint("s1", rows[0])).toBe("0.000000001234");
    // Counts carry no exact strings: their figure is the rounded number.
    const requests = chart("requests", [{ name: "openai", data: [3, 4] }]);
    expect(exactPoint("s0", chartRows(requests)[0])).toBeNull();
    const [requestTotal] = seriesTotals(requests);
    expect(requestTotal && totalFigure("requests", requestTotal)).toBe("7");
  });
});
