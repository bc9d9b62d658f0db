import { describe, expect, it } from "vitest";
import { newId, timeOrderedId } from "./ids";

describe("ids", () => {
  it("newId is a prefix and 20 random base62 characters", () => {
    expect(newId("usr")).toMatch(/^usr_[0-9A-Za-z]{20}$/);
  });

  it("timeOrderedId sorts by time, byte-wise and case-insensitively, and stays unique", () => {
    const t0 = Date.UTC(2026, 10, 27);
    const ids = [0, 1, 2, 999, 1_000, 60_000, 86_400_000, 365 * 86_400_000].map((d) =>
      timeOrderedId("req", t0 + d),
    );
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-z]{9}[0-9A-Za-z]{11}$/);
    const prefixes = ids.map((id) => id.slice(0, 13));
    expect([...prefixes].sort()).toEqual(prefixes);
    expect([...prefixes].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" }))).toEqual(prefixes);
    const many = new Set(Array.from({ length: 10_000 }, () => timeOrderedId("req", t0)));
    expect(many.size).toBe(10_000);
  });
});
