import { errorFields } from "@llmg/api";
import { openDatabase } from "@llmg/db";
import { openTestDatabase, type TestDatabase, testBackends } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../chaos/support";

/**
 * A database that cannot answer is a 503 database_unavailable a client may retry, with the
 * driver's real errors; a bug in a query stays a 500.
 */
describe.skipIf(!testBackends().includes("postgres"))("database errors", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase("postgres");
  });
  afterAll(() => database?.close());

  const failure = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      return errorFields(error);
    }
    throw new Error("expected a failure");
  };

  it("answers 503 when nothing listens at the database's address", async () => {
    const url = new URL(database.url!);
    url.port = String(await freePort());
    const handle = await openDatabase({ databaseUrl: url.toString(), connectTimeoutMs: 1_000 });
    try {
      const fields = await failure(() => sql`select 1`.execute(handle.db));
      expect(fields).toMatchObject({ status: 503, error: "database_unavailable" });
      expect(fields.message).not.toContain("ECONNREFUSED");
    } finally {
      await handle.close();
    }
  });

  it("answers 503 for a statement the server cancelled at the statement timeout", async () => {
    const handle = await openDatabase({ databaseUrl: database.url!, poolSize: 1, statementTimeoutMs: 200 });
    try {
      const fields = await failure(() => sql`select pg_sleep(2)`.execute(handle.db));
      expect(fields).toMatchObject({ status: 503, error: "database_unavailable" });
      // The connection is still good afterwards.
      expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows[0]?.one).toBe(1);
    } finally {
      await handle.close();
    }
  });

  it("keeps a broken query a 500", async () => {
    const fields = await failure(() => sql`select * from no_such_table`.execute(database.db));
    expect(fields).toMatchObject({ status: 500, error: "internal_error" });
  });
});
