import { describe, expect, it } from "vitest";
import { createBreakers } from "./breaker";
import { createMemoryBreakerStore } from "./breaker-memory";

const keys = [
  { id: "a", weight: 1, priority: 0 },
  { id: "b", weight: 1, priority: 0 },
];

/** The in-process breaker on a clock the test moves. */
function setup() {
  let now = 1_000_000;
  const store = createMemoryBreakerStore(() => now);
  const breakers = createBreakers({ store, failures: 2, cooldownMs: 1000, random: () => 0.99 });
  const advance = (ms: number) => {
    now += ms;
  };
  return { breakers, advance };
}

describe("circuit breaker (in process)", () => {
  it("opens after consecutive failures, skips the key, and a success in between resets the count", async () => {
    const { breakers } = setup();
    expect((await breakers.choose("u", "openai", keys)).id).toBe("b");
    await breakers.report("u", "openai", "b", "failure");
    await breakers.report("u", "openai", "b", "success");
    await breakers.report("u", "openai", "b", "failure");
    expect((await breakers.health("u", [{ id: "b", provider: "openai" }])).get("b")).toEqual({
      state: "closed",
      consecutive_failures: 1,
    });
    await breakers.report("u", "openai", "b", "failure");
    expect((await breakers.choose("u", "openai", keys)).id).toBe("a");
    expect((await breakers.health("u", [{ id: "b", provider: "openai" }])).get("b")?.state).toBe("open");
  });

  it("refuses with 503 when all are open, lets one probe through after the cool-down", async () => {
    const { breakers, advance } = setup();
    for (const id of ["a", "b"])
      for (let i = 0; i < 2; i++) await breakers.report("u", "openai", id, "failure");
    await expect(breakers.choose("u", "openai", keys)).rejects.toMatchObject({
      error: "provider_unavailable",
      status: 503,
      retryAfter: 1,
    });
    advance(1000);
    const probe = await breakers.choose("u", "openai", keys);
    const second = await breakers.choose("u", "openai", keys);
    expect(second.id).not.toBe(probe.id);
    // Both probes held: a third call waits.
    await expect(breakers.choose("u", "openai", keys)).rejects.toMatchObject({
      error: "provider_unavailable",
    });
    await breakers.report("u", "openai", probe.id, "success");
    await breakers.report("u", "openai", second.id, "failure");
    const health = await breakers.health("u", [
      { id: "a", provider: "openai" },
      { id: "b", provider: "openai" },
    ]);
    expect(health.get(probe.id)).toEqual({ state: "closed", consecutive_failures: 0 });
    expect(health.get(second.id)?.state).toBe("open");
    // A neutral end (the caller's bad request) gives the probe back without a verdict.
    advance(1000);
    const reopened = [keys.find((k) => k.id === second.id)!];
    expect((await breakers.choose("u", "openai", reopened)).id).toBe(second.id);
    await expect(breakers.choose("u", "openai", reopened)).rejects.toMatchObject({ status: 503 });
    await breakers.report("u", "openai", second.id, "neutral");
    expect((await breakers.choose("u", "openai", reopened)).id).toBe(second.id);
  });
});
