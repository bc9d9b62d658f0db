import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase, testBackends } from "../testing";
import { insertUsageRows, type UsageRowValues } from "./requests";
import { createUser } from "./users";

function row(id: string, userId: string, totalCost: string): UsageRowValues {
  return {
    id,
    user_id: userId,
    api_key_id: null,
    credential_id: null,
    provider: "openai",
    model: "gpt-4o-mini",
    endpoint: "v1",
    stream: false,
    status: "success",
    http_status: 200,
    error_code: null,
    error_message: null,
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    usage_estimated: false,
    prompt_cost: "0",
    completion_cost: "0",
    total_cost: totalCost,
    latency_ms: 3,
    ttft_ms: null,
    ip: null,
    user_agent: null,
    metadata: null,
    request_body: null,
    response_body: null,
    tags: [],
    run_id: null,
    run_budget_usd: null,
    team_id: null,
    attempt: 1,
    request_id: null,
    cache_hit: false,
    saved_usd: null,
  };
}

describe.each(testBackends())("usage row inserts on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("commits rows either way, and the fast commit does not leak past its own statement", async () => {
    const user = await createUser(t.db, { email: "rows@example.com" });
    await t.db.connection().execute(async (conn) => {
      await insertUsageRows(conn, [row("req_durable", user.id, "0.000001")]);
      await insertUsageRows(
        conn,
        [row("req_fast_1", user.id, "0.000002"), row("req_fast_2", user.id, "0.1")],
        {
          waitForFlush: false,
        },
      );
      // Same connection: a later statement (a budget change, a key revocation) commits durably.
      const setting = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(conn);
      expect(setting.rows[0]?.synchronous_commit).toBe("on");
    });
    const sum = await sql<{ total: string; n: number }>`
      select sum(total_cost)::text as total, count(*)::int8 as n from requests where user_id = ${user.id}`.execute(
      t.db,
    );
    expect(sum.rows[0]).toEqual({ total: "0.100003", n: 3 });
  });
});
