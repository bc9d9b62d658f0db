import "./provided";
import { readFileSync } from "node:fs";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { inject } from "vitest";
import { type DbHandle, type DbKind, openDatabase } from "../connection";
import { randomBase62 } from "../ids";
import { migrateToLatest } from "../migrate";

export interface TestDatabase extends DbHandle {
  /** Connection string of this test's own database (postgres only). */
  url?: string;
}

/** The backends this run tests against: PostgreSQL when it answers, and always PGlite. */
export function testBackends(): DbKind[] {
  return inject("pgUrl") ? ["postgres", "pglite"] : ["pglite"];
}

export function testRedisUrl(): string | null {
  return inject("redisUrl");
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * A fresh, migrated database for one test file: its own PostgreSQL database (so files run in
 * parallel without seeing each other's rows) or its own in-memory PGlite.
 */
export async function openTestDatabase(kind: DbKind): Promise<TestDatabase> {
  if (kind === "pglite") {
    const template = new Blob([readFileSync(inject("pgliteTemplate"))]);
    const handle = await openDatabase({ loadDataDir: template });
    await migrateToLatest(handle.db);
    return handle;
  }
  const adminUrl = inject("pgUrl");
  if (!adminUrl) throw new Error("PostgreSQL is not available in this run");
  const name = `llmg_test_${randomBase62(10).toLowerCase()}`;
  const admin = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: adminUrl, max: 1 }) }),
  });
  await sql`create database ${sql.id(name)}`.execute(admin);
  const url = withDatabase(adminUrl, name);
  const handle = await openDatabase({ databaseUrl: url, poolSize: 5 });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    },
  };
}
