import { ApiError, createUsageRecorder } from "@llmg/api";
import { createUser, insertUsageRows, openDatabase, type UsageRowValues } from "@llmg/db";
import { openTestDatabase, type TestDatabase, testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let seq = 0;
function row(userId: string, extra: Partial<UsageRowValues> = {}): UsageRowValues {
  seq += 1;
  return {
    id: `req_recorder_${seq}_${Math.random().toString(36).slice(2, 8)}`,
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
    prompt_cost: "0.000001",
    completion_cost: "0.000002",
    total_cost: "0.000003",
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
    ...extra,
  };
}

async function storedIds(t: TestDatabase, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await t.db.selectFrom("requests").select("id").where("id", "in", ids).execute();
  return rows.map((r) => r.id).sort();
}

/** Holds an exclusive lock on `requests` (every INSERT waits) until the returned function is called. */
async function stallInserts(t: TestDatabase): Promise<() => Promise<void>> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = t.db.transaction().execute(async (trx) => {
    await sql`lock table requests in exclusive mode`.execute(trx);
    locked();
    await gate;
  });
  await isLocked;
  return async () => {
    release();
    await done;
  };
}

describe.each(testBackends())("usage recorder on %s", (kind) => {
  let t: TestDatabase;
  let userId: string;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    userId = (await createUser(t.db, { email: `recorder-${kind}@example.com` })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("retries a failed batch row by row: only the bad row is lost, the others commit", async () => {
    const lines: unknown[] = [];
    const recorder = createUsageRecorder(t.db, { logger: { error: (obj) => lines.push(obj) } });
    // The first row leaves alone; the rest queue behind it and share the next INSERT, which the
    // row of a user that does not exist (deleted mid-call) makes fail as a whole.
    const good = Array.from({ length: 8 }, () => row(userId));
    const bad = row("usr_gone");
    const rows = [good[0], ...good.slice(1, 4), bad, ...good.slice(4)] as UsageRowValues[];
    const results = await Promise.allSettled(rows.map((r) => recorder.record(r)));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(
      await storedIds(
        t,
        rows.map((r) => r.id),
      ),
    ).toEqual(good.map((r) => r.id).sort());
    expect(recorder.stats()).toMatchObject({ rowsWritten: 8, rowsFailed: 1, batchesRetried: 1, backlog: 0 });
    expect(lines).toEqual([expect.objectContaining({ request_id: bad.id, code: "23503" })]);
  });

  it("cleans and clamps what PostgreSQL would refuse, so a poisoned row shares a batch safely", async () => {
    const poisoned = row(userId, {
      user_agent: "curl/8\u0000evil",
      error_message: "upstream said \u0000 and \ud800",
      metadata: JSON.stringify({ "k\u0000": "v\u0000", lone: "\udc00x" }),
      request_body: JSON.stringify({ messages: [{ role: "user", content: "hi\u0000\ud83d" }] }),
      response_body: JSON.stringify({ content: "ok \ud83d\ude00" }),
      prompt_tokens: -5,
      completion_tokens: 1.5,
      cached_tokens: 1e12,
      reasoning_tokens: Number.NaN,
      latency_ms: 1e10,
      ttft_ms: -1,
    });
    // The poison is real: the same row fails as it stands.
    await expect(insertUsageRows(t.db, [poisoned])).rejects.toThrow();

    const recorder = createUsageRecorder(t.db);
    const neighbours = [row(userId), row(userId), row(userId)];
    await Promise.all([poisoned, ...neighbours].map((r) => recorder.record(r)));
    expect(recorder.stats()).toMatchObject({
      rowsWritten: 4,
      rowsFailed: 0,
      rowsCleaned: 1,
      rowsClamped: 1,
      batchesRetried: 0,
    });
    const stored = await t.db
      .selectFrom("requests")
      .selectAll()
      .where("id", "=", poisoned.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      user_agent: "curl/8evil",
      error_message: "upstream said  and \ufffd",
      metadata: { k: "v", lone: "\ufffdx" },
      request_body: { messages: [{ role: "user", content: "hi\ufffd" }] },
      // A valid surrogate pair is kept as it is.
      response_body: { content: "ok \u{1f600}" },
      prompt_tokens: 0,
      completion_tokens: 2,
      cached_tokens: 2_147_483_647,
      reasoning_tokens: 0,
      usage_estimated: true,
      latency_ms: 2_147_483_647,
      ttft_ms: 0,
    });
    expect(
      await storedIds(
        t,
        neighbours.map((r) => r.id),
      ),
    ).toEqual(neighbours.map((r) => r.id).sort());
  });

  it("bounds its backlog: new calls wait, then get 503 usage_backlog; rows of running calls are still taken", async () => {
    const recorder = createUsageRecorder(t.db, { maxQueue: 3, admitWaitMs: 300 });
    const release = await stallInserts(t);
    let pending: Promise<void>[] = [];
    try {
      await recorder.admit();
      pending = [row(userId), row(userId), row(userId)].map((r) => recorder.record(r));
      expect(recorder.stats().backlog).toBe(3);

      const refused = await recorder.admit().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ApiError);
      expect(refused).toMatchObject({ error: "usage_backlog", status: 503 });
      expect(recorder.stats().callsRefused).toBe(1);

      // A call admitted before the queue filled finishes now: its row is queued, never dropped.
      pending.push(recorder.record(row(userId)));
      expect(recorder.stats().backlog).toBe(4);

      // A caller waiting when room appears is let through rather than refused.
      const waiting = recorder.admit();
      await release();
      await waiting;
    } finally {
      await release();
    }
    await Promise.all(pending);
    expect(recorder.stats()).toMatchObject({ rowsWritten: 4, backlog: 0, callsRefused: 1 });
    await recorder.admit();
  });
});

describe("usage recorder with the database out of reach", () => {
  it("rejects with 503 usage_unavailable: no success is claimed for a row that may be lost", async () => {
    // Nothing listens on port 1: every INSERT fails with a connection error, not a row fault.
    const handle = await openDatabase({ databaseUrl: "postgres://postgres@127.0.0.1:1/none", poolSize: 1 });
    try {
      const lines: unknown[] = [];
      const recorder = createUsageRecorder(handle.db, { logger: { error: (obj) => lines.push(obj) } });
      const results = await Promise.allSettled(
        [row("usr_a"), row("usr_b"), row("usr_c")].map((r) => recorder.record(r)),
      );
      for (const result of results) {
        expect(result.status).toBe("rejected");
        expect((result as PromiseRejectedResult).reason).toMatchObject({
          error: "usage_unavailable",
          status: 503,
        });
      }
      expect(recorder.stats()).toMatchObject({ rowsWritten: 0, rowsFailed: 0, backlog: 0 });
      expect(lines).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
