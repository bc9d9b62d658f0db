import { describe, expect, it } from "vitest";
import { createMemoryCacheStore } from "./store-memory";

describe("in-process response cache", () => {
  it("expires entries with their ttl", async () => {
    let now = 1_000;
    const store = createMemoryCacheStore({ now: () => now });
    await store.set("k", "v", 500);
    expect(await store.get("k")).toBe("v");
    now += 499;
    expect(await store.get("k")).toBe("v");
    now += 1;
    expect(await store.get("k")).toBeUndefined();
  });

  it("keeps at most maxEntries, dropping the least recently used first", async () => {
    const store = createMemoryCacheStore({ maxEntries: 2 });
    await store.set("a", "1", 60_000);
    await store.set("b", "2", 60_000);
    expect(await store.get("a")).toBe("1");
    await store.set("c", "3", 60_000);
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("a")).toBe("1");
    expect(await store.get("c")).toBe("3");
  });

  it("keeps at most maxBytes of values, and never an entry larger than the bound", async () => {
    const store = createMemoryCacheStore({ maxBytes: 40 });
    await store.set("a", "x".repeat(10), 60_000);
    await store.set("b", "y".repeat(10), 60_000);
    await store.set("c", "z".repeat(10), 60_000);
    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("b")).toBe("y".repeat(10));
    await store.set("huge", "h".repeat(21), 60_000);
    expect(await store.get("huge")).toBeUndefined();
    expect(await store.get("c")).toBe("z".repeat(10));
    // Replacing an entry frees its old size first.
    await store.set("c", "w".repeat(10), 60_000);
    expect(await store.get("b")).toBe("y".repeat(10));
  });
});
