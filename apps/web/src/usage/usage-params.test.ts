import { describe, expect, it } from "vitest";
import { presetDates, readView, writeView } from "./usage-params";

const NOW = Date.parse("2026-12-01T15:00:00Z");

describe("the Usage view in the URL", () => {
  it("counts presets in whole UTC days ending today", () => {
    expect(presetDates("7d", NOW)).toEqual({ from: "2026-11-25", to: "2026-12-01" });
    expect(presetDates("90d", NOW)).toEqual({ from: "2026-09-03", to: "2026-12-01" });
    expect(presetDates("month", NOW)).toEqual({ from: "2026-12-01", to: "2026-12-01" });
  });

  it("reads back what it writes, and only writes what differs from the defaults", () => {
    const view = readView(
      new URLSearchParams(
        "range=custom&from=2026-10-01&to=2026-10-31&granularity=week&split=model&provider=openai&model=gpt-4o",
      ),
      NOW,
    );
    expect(view).toEqual({
      range: "custom",
      from: "2026-10-01",
      to: "2026-10-31",
      granularity: "week",
      split: "model",
      provider: "openai",
      model: "gpt-4o",
    });
    expect(readView(writeView(view), NOW)).toEqual(view);
    expect(writeView(readView(new URLSearchParams(""), NOW)).toString()).toBe("");
  });

  it("falls back to the defaults for what it does not know", () => {
    const view = readView(new URLSearchParams("range=forever&granularity=minute&split=colour"), NOW);
    expect(view).toMatchObject({ range: "30d", granularity: "day", split: "provider", from: "2026-11-02" });
    // Custom without both dates is not a range: the default preset.
    expect(readView(new URLSearchParams("range=custom&from=2026-10-01"), NOW).range).toBe("30d");
  });
});
