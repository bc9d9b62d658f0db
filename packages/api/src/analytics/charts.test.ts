import { describe, expect, it } from "vitest";
import { bucketStart, bucketStarts } from "./charts";

const t = (iso: string) => Date.parse(iso);
const labels = (from: string, to: string, unit: "hour" | "day" | "week" | "month") =>
  bucketStarts({ from: new Date(from), to: new Date(to) }, unit).map((s) =>
    new Date(s).toISOString().slice(0, 16),
  );

describe("chart buckets", () => {
  it("truncates in UTC, weeks from Monday, months on the 1st", () => {
    expect(new Date(bucketStart(t("2025-03-05T17:45:00Z"), "hour")).toISOString()).toBe(
      "2025-03-05T17:00:00.000Z",
    );
    expect(new Date(bucketStart(t("2025-03-02T23:59:59Z"), "week")).toISOString()).toBe(
      "2025-02-24T00:00:00.000Z",
    );
    expect(new Date(bucketStart(t("2025-03-03T00:00:00Z"), "week")).toISOString()).toBe(
      "2025-03-03T00:00:00.000Z",
    );
    expect(new Date(bucketStart(t("2024-02-29T12:00:00Z"), "month")).toISOString()).toBe(
      "2024-02-01T00:00:00.000Z",
    );
  });

  it("lists every bucket overlapping [from, to)", () => {
    expect(labels("2025-03-01T10:30:00Z", "2025-03-01T13:00:00Z", "hour")).toEqual([
      "2025-03-01T10:00",
      "2025-03-01T11:00",
      "2025-03-01T12:00",
    ]);
    expect(labels("2024-12-15T00:00:00Z", "2025-02-01T00:00:00Z", "month")).toEqual([
      "2024-12-01T00:00",
      "2025-01-01T00:00",
    ]);
    expect(labels("2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z", "day")).toEqual([]);
  });

  it("refuses more buckets than a chart can use, naming granularity", () => {
    expect(() => labels("2020-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "hour")).toThrow(/granularity/);
  });
});
