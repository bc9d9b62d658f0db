import { describe, expect, it } from "vitest";
import { defaultHome, homeOf, homeTag, nextHome, sharesSlotWithTeam } from "./home";

describe("counter homes", () => {
  it("keeps a never-moved user under its own hash tag, as before homes existed", () => {
    expect(homeOf("usr_1", null)).toBe("{usr_1}");
    expect(homeTag(defaultHome("usr_1"))).toBe("usr_1");
  });

  it("moves a member of one team under the team's tag, with a fresh epoch each time", () => {
    const first = nextHome("usr_1", null, ["tm_a"]);
    expect(first).toMatch(/^\{team:tm_a\}:u:usr_1:[0-9a-f]{8}$/);
    expect(homeTag(first!)).toBe("team:tm_a");
    expect(sharesSlotWithTeam(first!, "tm_a")).toBe(true);
    expect(sharesSlotWithTeam(first!, "tm_b")).toBe(false);
    // Already there: no move.
    expect(nextHome("usr_1", first!, ["tm_a"])).toBeUndefined();
    // Several teams or none: the user's own tag, never its old plain home again.
    const own = nextHome("usr_1", first!, ["tm_a", "tm_b"]);
    expect(own).toMatch(/^\{usr_1\}:[0-9a-f]{8}$/);
    expect(nextHome("usr_1", own!, [])).toBeUndefined();
    const back = nextHome("usr_1", own!, ["tm_a"]);
    expect(back).not.toBe(first);
    expect(homeTag(back!)).toBe("team:tm_a");
  });

  it("lets any call without a team run in any home", () => {
    expect(sharesSlotWithTeam("{usr_1}", null)).toBe(true);
    expect(sharesSlotWithTeam("{usr_1}", "tm_a")).toBe(false);
  });
});
