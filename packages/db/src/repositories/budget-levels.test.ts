import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase, testBackends } from "../testing";
import type { NewRequestRow } from "../types";
import { levelSpendSince, tagSpendsSince } from "./budget-levels";
import { levelSpendBuckets } from "./level-spend";
import { insertRequests, type UsageRowValues } from "./requests";
import { createTeam } from "./teams";
import { createUser } from "./users";

let seq = 0;
function row(
  userId: string,
  totalCost: string,
  createdAt: string,
  extra: Partial<Pick<UsageRowValues, "tags" | "team_id">> = {},
): NewRequestRow {
  seq += 1;
  return {
    id: `req_levels_${seq}`,
    user_id: userId,
    provider: "openai",
    model: "gpt-4o-mini",
    endpoint: "v1",
    stream: false,
    status: "success",
    http_status: 200,
    prompt_tokens: 1,
    completion_tokens: 1,
    total_cost: totalCost,
    latency_ms: 1,
    tags: extra.tags ?? [],
    team_id: extra.team_id ?? null,
    created_at: new Date(createdAt),
  };
}

describe.each(testBackends())("budget level spend queries on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("tag spend counts the user's rows carrying each tag since the start, exactly", async () => {
    const user = await createUser(t.db, { email: "tags@example.com" });
    const other = await createUser(t.db, { email: "tags-other@example.com" });
    await insertRequests(t.db, [
      row(user.id, "0.1", "2026-11-30T23:59:59.999Z", { tags: ["a"] }),
      row(user.id, "0.0000000001", "2026-12-01T00:00:00Z", { tags: ["a", "b"] }),
      row(user.id, "0.2", "2026-12-15T10:00:00Z", { tags: ["b", "a"] }),
      row(user.id, "5", "2026-12-15T10:00:00Z", { tags: ["c"] }),
      row(other.id, "7", "2026-12-15T10:00:00Z", { tags: ["a"] }),
    ]);
    const from = new Date("2026-12-01T00:00:00Z");
    const spends = await tagSpendsSince(t.db, user.id, ["a", "b", "none"], from);
    expect(spends.get("a")).toBe("0.2000000001");
    expect(spends.get("b")).toBe("0.2000000001");
    expect(spends.has("none")).toBe(false);
    expect(spends.has("c")).toBe(false);
    expect(await tagSpendsSince(t.db, user.id, [], from)).toEqual(new Map());
    // The limiter's single-level query agrees.
    expect(await levelSpendSince(t.db, { scope: "tag", userId: user.id, tag: "a" }, from)).toBe(
      "0.2000000001",
    );
  });

  it("a team's daily buckets hold its rows only, per UTC day, within [from, to)", async () => {
    const user = await createUser(t.db, { email: "team-days@example.com" });
    const team = await createTeam(t.db, { name: "days" });
    const otherTeam = await createTeam(t.db, { name: "other-days" });
    await insertRequests(t.db, [
      row(user.id, "1", "2026-11-30T23:59:59Z", { team_id: team.id }),
      row(user.id, "0.25", "2026-12-01T00:00:00Z", { team_id: team.id }),
      row(user.id, "0.5", "2026-12-01T23:59:59Z", { team_id: team.id }),
      row(user.id, "2", "2026-12-03T12:00:00Z", { team_id: team.id }),
      row(user.id, "9", "2026-12-03T12:00:00Z", { team_id: otherTeam.id }),
      row(user.id, "9", "2026-12-03T12:00:00Z"),
      row(user.id, "3", "2026-12-04T00:00:00Z", { team_id: team.id }),
    ]);
    const buckets = await levelSpendBuckets(
      t.db,
      { scope: "team", teamId: team.id },
      new Date("2026-12-01T00:00:00Z"),
      new Date("2026-12-04T00:00:00Z"),
    );
    expect(buckets.map((b) => [b.bucket.toISOString(), b.spent, b.requests])).toEqual([
      ["2026-12-01T00:00:00.000Z", "0.75", 2],
      ["2026-12-03T00:00:00.000Z", "2", 1],
    ]);
  });
});
