import { describe, expect, it } from "vitest";
import { gcra, gcraAdjust, RATE_PERIOD_MS } from "./gcra";
import { formatReset, rateLimitHeaders } from "./headers";

/** Runs `n` admissions of `cost` at `now`, storing the TAT as the stores do. */
function burst(limit: number, n: number, now: number, cost = 1, start?: number) {
  let tat = start;
  let admitted = 0;
  for (let i = 0; i < n; i++) {
    const d = gcra(tat, now, limit, cost);
    if (d.allowed) {
      tat = d.newTat;
      admitted++;
    }
  }
  return { tat, admitted };
}

describe("GCRA", () => {
  it("admits exactly the per-minute allowance at once, for awkward limits too", () => {
    for (const limit of [1, 3, 7, 60, 997, 100_000]) {
      expect(burst(limit, limit * 2, 0).admitted).toBe(limit);
    }
  });

  it("says when the next call fits, and refills continuously", () => {
    const { tat } = burst(3, 3, 1_000);
    const refused = gcra(tat, 1_000, 3, 1);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(20_000);
    expect(refused.state).toEqual({ limit: 3, remaining: 0, resetMs: 60_000 });
    expect(gcra(tat, 20_999, 3, 1).allowed).toBe(false);
    expect(gcra(tat, 21_000, 3, 1).allowed).toBe(true);
    // After a full period the whole allowance is back.
    expect(burst(3, 5, 61_000, 1, tat).admitted).toBe(3);
  });

  it("reports remaining and reset after an admission", () => {
    const first = gcra(undefined, 0, 60, 1);
    expect(first.state).toEqual({ limit: 60, remaining: 59, resetMs: 1_000 });
    const tokens = gcra(undefined, 0, 1_000, 250);
    expect(tokens.state).toEqual({ limit: 1_000, remaining: 750, resetMs: 15_000 });
  });

  it("refuses a cost above the whole allowance and corrects token buckets to actual use", () => {
    expect(gcra(undefined, 0, 100, 101).allowed).toBe(false);
    const reserved = gcra(undefined, 0, 1_000, 500).newTat;
    expect(reserved).toBe(30_000);
    // Used 100 of 500 reserved: 400 come back, but the TAT never goes behind now.
    expect(gcraAdjust(reserved, 0, 1_000, -400)).toBe(6_000);
    expect(gcraAdjust(reserved, 0, 1_000, -10_000)).toBe(0);
    // Used more than reserved: charged on top.
    expect(gcraAdjust(reserved, 0, 1_000, 100)).toBe(36_000);
    expect(gcraAdjust(undefined, 0, 1_000, 100)).toBeUndefined();
    expect(RATE_PERIOD_MS).toBe(60_000);
  });
});

describe("x-ratelimit headers", () => {
  it("spells resets as OpenAI does", () => {
    expect(formatReset(20)).toBe("20ms");
    expect(formatReset(0.2)).toBe("1ms");
    expect(formatReset(1_000)).toBe("1s");
    expect(formatReset(1_500)).toBe("1.5s");
    expect(formatReset(360_000)).toBe("6m0s");
    expect(formatReset(90_500)).toBe("1m30.5s");
  });

  it("reports the binding bucket per dimension and omits dimensions without a limit", () => {
    const headers = rateLimitHeaders(
      [
        { limit: 100, remaining: 50, resetMs: 30_000 },
        { limit: 10, remaining: 9, resetMs: 6_000 },
      ],
      [null, null],
    );
    expect(headers).toEqual({
      "x-ratelimit-limit-requests": "10",
      "x-ratelimit-remaining-requests": "9",
      "x-ratelimit-reset-requests": "6s",
    });
    expect(rateLimitHeaders([null, null], [null, null])).toEqual({});
  });
});
