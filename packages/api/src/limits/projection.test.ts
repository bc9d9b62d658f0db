import { describe, expect, it } from "vitest";
import { crossedThresholds, reachedThresholds } from "./alerts";
import { usdToNano } from "./money";
import { DAY_MS } from "./period";
import { project } from "./projection";

const t = (iso: string) => Date.parse(iso);
const usd = (v: string) => usdToNano(v, "up");
const day = (iso: string, spent: string) => ({ day: t(`${iso}T00:00:00Z`), spentNano: usd(spent) });
const longAgo = t("2020-01-01T00:00:00Z");

describe("month-end projection with a controlled clock", () => {
  it("adds the last 7 days' average over the time left to month-to-date", () => {
    // 2026-11-15 12:00 UTC: window = Nov 9 00:00 .. now = 6.5 days, $13 spent in it.
    const p = project({
      now: t("2026-11-15T12:00:00Z"),
      limitNano: usd("50"),
      reservedNano: usd("1"),
      trackingStart: longAgo,
      days: [day("2026-11-02", "10"), day("2026-11-09", "6.5"), day("2026-11-15", "6.5")],
    });
    expect(p.daysInMonth).toBe(30);
    expect(p.daysElapsed).toBe(15);
    expect(p.daysLeft).toBe(15);
    expect(p.windowDays).toBe(6.5);
    expect(p.spentNano).toBe(usd("23"));
    expect(p.averageDailyNano).toBe(usd("2"));
    // 23 + 2/day × 15.5 days left
    expect(p.projectedNano).toBe(usd("54"));
    expect(p.remainingNano).toBe(usd("26"));
    expect(p.percentUsed).toBe(46);
    // (50 - 23) / 2 = 13.5 days after now: Nov 29 00:00.
    expect(p.exhaustionDate).toBe("2026-11-29");
    expect(p.status).toBe("warning");
  });

  it("on the first day of a month projects from the previous month's last days", () => {
    const p = project({
      now: t("2026-12-01T06:00:00Z"),
      limitNano: usd("100"),
      reservedNano: 0n,
      trackingStart: longAgo,
      days: [day("2026-11-20", "50"), day("2026-11-25", "3"), day("2026-11-30", "3.25")],
    });
    expect(p.daysElapsed).toBe(1);
    expect(p.daysLeft).toBe(30);
    expect(p.spentNano).toBe(0n);
    // Window Nov 25 00:00 .. Dec 1 06:00 = 6.25 days, $6.25: $1/day; Nov 20 is outside it.
    expect(p.windowDays).toBe(6.25);
    expect(p.averageDailyNano).toBe(usd("1"));
    expect(p.projectedNano).toBe(usd("30.75"));
    expect(p.exhaustionDate).toBeNull();
    expect(p.status).toBe("ok");
  });

  it("with no spend at all projects zero and no exhaustion", () => {
    const p = project({
      now: t("2026-02-01T00:00:00Z"),
      limitNano: usd("10"),
      reservedNano: 0n,
      trackingStart: longAgo,
      days: [],
    });
    expect(p).toMatchObject({
      daysInMonth: 28,
      daysElapsed: 1,
      daysLeft: 27,
      spentNano: 0n,
      averageDailyNano: 0n,
      projectedNano: 0n,
      exhaustionDate: null,
      percentUsed: 0,
      status: "ok",
    });
  });

  it("does not extrapolate a new user's first minutes into a daily rate", () => {
    const now = t("2026-11-10T10:00:00Z");
    const p = project({
      now,
      limitNano: null,
      reservedNano: 0n,
      trackingStart: now - 10 * 60_000,
      days: [day("2026-11-10", "1")],
    });
    expect(p.windowDays).toBe(1);
    expect(p.averageDailyNano).toBe(usd("1"));
    expect(p.remainingNano).toBeNull();
    expect(p.percentUsed).toBeNull();
    expect(p.exhaustionDate).toBeNull();
    // A user created 3 days ago averages over those 3 days only.
    const q = project({
      now,
      limitNano: null,
      reservedNano: 0n,
      trackingStart: now - 3 * DAY_MS,
      days: [day("2026-11-08", "3")],
    });
    expect(q.averageDailyNano).toBe(usd("1"));
  });

  it("when exceeded gives the day the limit was reached", () => {
    const p = project({
      now: t("2026-11-20T00:00:00Z"),
      limitNano: usd("10"),
      reservedNano: usd("1"),
      trackingStart: longAgo,
      days: [
        day("2026-10-31", "100"),
        day("2026-11-03", "6"),
        day("2026-11-07", "4"),
        day("2026-11-19", "1"),
      ],
    });
    expect(p.status).toBe("exceeded");
    expect(p.exhaustionDate).toBe("2026-11-07");
    expect(p.remainingNano).toBe(0n);
    expect(p.percentUsed).toBe(110);
  });
});

describe("threshold crossing", () => {
  const limit = usd("10");
  it("is exact at the boundary and attributes each threshold to one booking", () => {
    expect(crossedThresholds(usd("4.999999999"), usd("5"), limit, [50, 80, 100])).toEqual([50]);
    expect(crossedThresholds(usd("5"), usd("5.1"), limit, [50, 80, 100])).toEqual([]);
    expect(crossedThresholds(usd("0"), usd("12"), limit, [50, 80, 100])).toEqual([50, 80, 100]);
    expect(crossedThresholds(usd("9"), usd("9.9"), limit, [50, 80, 100, 120])).toEqual([]);
    expect(reachedThresholds(usd("8"), limit, [50, 80, 100])).toEqual([50, 80]);
  });
});
