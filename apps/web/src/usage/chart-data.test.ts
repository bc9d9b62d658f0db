import { describe, expect, it } from "vitest";
import { type Chart, chartRows, figure, seriesTotals } from "./chart-data";

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
    expect(totals).toEqual([{ name: "openai", value: 0.1 + 0.2 }]);
    expect(figure("cost", 0.1 + 0.2)).toBe("$0.3");
    expect(figure("cost", 0.00018)).toBe("$0.00018");
    expect(figure("cost", 0)).toBe("$0");
    expect(figure("tokens", 12345)).toBe("12,345");
    expect(seriesTotals(chart("latency", [{ name: "p95", data: [0, 120, 80] }]))[0]?.value).toBe(120);
  });
});
