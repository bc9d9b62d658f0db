import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, isRetryableStatus, parseRetryAfter, shouldRetry } from "./retry";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads seconds, fractions and HTTP dates", () => {
    expect(parseRetryAfter({ "retry-after": "3" }, now)).toBe(3_000);
    expect(parseRetryAfter({ "retry-after": "0.25" }, now)).toBe(250);
    expect(parseRetryAfter({ "retry-after": "Thu, 01 Jan 2026 00:00:10 GMT" }, now)).toBe(10_000);
    expect(parseRetryAfter({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }, now)).toBe(0);
  });

  it("prefers OpenAI's retry-after-ms", () => {
    expect(parseRetryAfter({ "retry-after-ms": "120", "retry-after": "1" }, now)).toBe(120);
  });

  it("ignores absent or unparsable values", () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "-1" }, now)).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("stays within [0, min(maxDelayMs, baseDelayMs * 2^attempt))", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, random) => {
          const delay = backoffDelay(attempt, { maxRetries: 3, baseDelayMs, maxDelayMs }, () => random);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));
        },
      ),
    );
  });
});

describe("isRetryableStatus", () => {
  it("retries 408, 429 and 5xx only", () => {
    expect([408, 409, 429, 500, 502, 503, 529].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe("shouldRetry", () => {
  it("lets the provider's x-should-retry header overrule the status", () => {
    expect(shouldRetry(400, { "x-should-retry": "true" })).toBe(true);
    expect(shouldRetry(503, { "x-should-retry": "false" })).toBe(false);
    expect(shouldRetry(409, {})).toBe(true);
    expect(shouldRetry(400, { "x-should-retry": "maybe" })).toBe(false);
  });
});
