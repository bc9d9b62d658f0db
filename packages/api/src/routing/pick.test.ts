import { describe, expect, it } from "vitest";
import { pickWeighted, tiers } from "./pick";

const c = (id: string, weight: number, priority = 0) => ({ id, weight, priority });

describe("weighted pick", () => {
  it("maps [0, 1) onto the weights in order", () => {
    const items = [c("a", 1), c("b", 3)];
    expect(pickWeighted(items, 0)?.id).toBe("a");
    expect(pickWeighted(items, 0.2499)?.id).toBe("a");
    expect(pickWeighted(items, 0.25)?.id).toBe("b");
    expect(pickWeighted(items, 0.9999999)?.id).toBe("b");
    expect(pickWeighted([], 0.5)).toBeUndefined();
    expect(pickWeighted([c("x", 1000)], 0.7)?.id).toBe("x");
  });

  it("gives each key its share over an even sweep of [0, 1)", () => {
    const items = [c("a", 1), c("b", 3), c("c", 6)];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++) counts[pickWeighted(items, i / 1000)!.id]! += 1;
    expect(counts).toEqual({ a: 100, b: 300, c: 600 });
  });

  it("groups by priority, highest first, keeping order within a tier", () => {
    const grouped = tiers([c("low", 1, -1), c("a", 1), c("top", 1, 5), c("b", 2)]);
    expect(grouped.map((t) => t.map((x) => x.id))).toEqual([["top"], ["a", "b"], ["low"]]);
  });
});
