import { describe, expect, it } from "vitest";
import { createFailureThrottle, throttleKey } from "./failure-throttle";

describe("the bad-key throttle", () => {
  it("blocks an address after its allowance, for the rest of its window only", () => {
    let now = 1_000_000;
    const throttle = createFailureThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(throttle.blockedFor("192.0.2.1")).toBe(0);
      throttle.fail("192.0.2.1");
    }
    expect(throttle.blockedFor("192.0.2.1")).toBe(60);
    expect(throttle.blockedFor("192.0.2.2")).toBe(0);
    now += 59_500;
    expect(throttle.blockedFor("192.0.2.1")).toBe(1);
    now += 500;
    expect(throttle.blockedFor("192.0.2.1")).toBe(0);
    // A new window starts with a fresh allowance.
    throttle.fail("192.0.2.1");
    expect(throttle.blockedFor("192.0.2.1")).toBe(0);
  });

  it("tracks a bounded number of addresses", () => {
    let now = 0;
    const throttle = createFailureThrottle({
      maxFailures: 1,
      windowMs: 60_000,
      maxTracked: 100,
      now: () => now,
    });
    throttle.fail("192.0.2.1");
    expect(throttle.blockedFor("192.0.2.1")).toBeGreaterThan(0);
    // A flood of distinct addresses pushes the oldest out instead of growing without end.
    for (let i = 0; i < 1000; i++) {
      now++;
      throttle.fail(`10.0.${i >> 8}.${i & 255}`);
    }
    expect(throttle.blockedFor("192.0.2.1")).toBe(0);
    expect(throttle.blockedFor("10.0.3.231")).toBeGreaterThan(0);
  });

  it("does nothing when off or without an address", () => {
    const off = createFailureThrottle({ maxFailures: 0, windowMs: 60_000, now: () => 0 });
    for (let i = 0; i < 100; i++) off.fail("192.0.2.1");
    expect(off.blockedFor("192.0.2.1")).toBe(0);
    const on = createFailureThrottle({ maxFailures: 1, windowMs: 60_000, now: () => 0 });
    on.fail(null);
    on.fail(undefined);
    expect(on.blockedFor(null)).toBe(0);
  });

  it("groups IPv6 by /64 and reads IPv4-mapped addresses as IPv4", () => {
    expect(throttleKey("2001:db8:1:2::5")).toBe("2001:db8:1:2::/64");
    expect(throttleKey("2001:0db8:0001:0002:ffff:0:0:1")).toBe("2001:db8:1:2::/64");
    expect(throttleKey("::1")).toBe("0:0:0:0::/64");
    expect(throttleKey("fe80::1")).toBe("fe80:0:0:0::/64");
    expect(throttleKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(throttleKey("192.0.2.1")).toBe("192.0.2.1");
  });
});
