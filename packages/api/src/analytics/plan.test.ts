import type { WindowProbe } from "@llmg/db";
import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, planSources } from "./plan";

const t = (iso: string) => Date.parse(iso);
const iso = (ranges: readonly (readonly [number, number])[]) =>
  ranges.map(
    ([s, e]) => `${new Date(s).toISOString().slice(0, 19)}..${new Date(e).toISOString().slice(0, 19)}`,
  );
const probe = (over: Partial<WindowProbe> = {}): WindowProbe => ({
  watermark: 100,
  headOutside: true,
  tailOutside: true,
  ...over,
});

/**
 * The rollup ranges and raw ranges tile a span without overlap, the raw ranges lie inside
 * [from, to), and the tail is exactly the part of [from, to) the rollups serve.
 */
function expectSound(plan: ReturnType<typeof planSources>, from: number, to: number) {
  const pieces = [...plan.days, ...plan.hours, ...plan.raw].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < pieces.length; i++) expect(pieces[i]?.[0]).toBe(pieces[i - 1]?.[1]);
  for (const [s, e] of plan.raw) expect(s >= from && e <= to).toBe(true);
  const rawLength = plan.raw.reduce((n, [s, e]) => n + (e - s), 0);
  const tailLength = plan.tail ? plan.tail[1] - plan.tail[0] : 0;
  expect(rawLength + tailLength).toBe(to - from);
}

describe("planSources", () => {
  it("reads whole days from daily rollups, other hours hourly, and dirty edge hours raw", () => {
    const from = t("2025-03-01T10:30:00Z");
    const to = t("2025-03-05T02:15:00Z");
    const plan = planSources(from, to, probe(), true);
    expect(iso(plan.days)).toEqual(["2025-03-02T00:00:00..2025-03-05T00:00:00"]);
    expect(iso(plan.hours)).toEqual([
      "2025-03-01T11:00:00..2025-03-02T00:00:00",
      "2025-03-05T00:00:00..2025-03-05T02:00:00",
    ]);
    expect(iso(plan.raw)).toEqual([
      "2025-03-01T10:30:00..2025-03-01T11:00:00",
      "2025-03-05T02:00:00..2025-03-05T02:15:00",
    ]);
    expect(iso(plan.tail ? [plan.tail] : [])).toEqual(["2025-03-01T11:00:00..2025-03-05T02:00:00"]);
    expectSound(plan, from, to);
  });

  it("serves a partial edge hour from its rollup when no row of it lies outside the window", () => {
    const from = t("2025-03-01T10:30:00Z");
    const to = t("2025-03-02T17:20:00Z");
    const plan = planSources(from, to, probe({ headOutside: false, tailOutside: false }), true);
    expect(plan.raw).toEqual([]);
    expect(iso(plan.hours)).toEqual(["2025-03-01T10:00:00..2025-03-02T18:00:00"]);
    expect(plan.tail).toEqual([from, to]);
    expectSound(plan, from, to);
  });

  it("uses no daily rollups for hourly charts", () => {
    const plan = planSources(t("2025-03-01T00:00:00Z"), t("2025-03-03T00:00:00Z"), probe(), false);
    expect(plan.days).toEqual([]);
    expect(iso(plan.hours)).toEqual(["2025-03-01T00:00:00..2025-03-03T00:00:00"]);
    expect(plan.raw).toEqual([]);
  });

  it("reads inside one hour from its rollup only when the whole hour is inside", () => {
    const from = t("2025-03-01T10:05:00Z");
    const to = t("2025-03-01T10:55:00Z");
    expect(planSources(from, to, probe(), true)).toMatchObject({ raw: [[from, to]], hours: [], tail: null });
    const clean = planSources(from, to, probe({ headOutside: false, tailOutside: false }), true);
    expect(clean).toMatchObject({
      raw: [],
      hours: [[t("2025-03-01T10:00:00Z"), t("2025-03-01T11:00:00Z")]],
      tail: [from, to],
    });
    const across = planSources(from, t("2025-03-01T11:55:00Z"), probe(), true);
    expect(across.hours).toEqual([]);
    expect(across.tail).toBeNull();
    expectSound(across, from, t("2025-03-01T11:55:00Z"));
  });

  it("reads everything raw before the first rollup run, and nothing for an empty window", () => {
    expect(planSources(10, 20, probe({ watermark: 0 }), true)).toMatchObject({ raw: [[10, 20]], tail: null });
    expect(planSources(5, 5, probe(), true)).toMatchObject({ days: [], hours: [], raw: [], tail: null });
  });

  it("is sound on random windows", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 500; i++) {
      const from = t("2025-01-01T00:00:00Z") + Math.floor(random() * 40 * DAY_MS);
      const aligned = random() < 0.3;
      const start = aligned ? Math.floor(from / HOUR_MS) * HOUR_MS : from;
      const to = start + Math.floor(random() * (random() < 0.3 ? 2 * HOUR_MS : 20 * DAY_MS));
      const p = probe({ headOutside: random() < 0.5, tailOutside: random() < 0.5 });
      const plan = planSources(start, to, p, random() < 0.5);
      if (to > start) expectSound(plan, start, to);
    }
  });
});
