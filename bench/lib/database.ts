import { randomBytes } from "node:crypto";
import { type DbHandle, openDatabase } from "@llmg/db";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** A throwaway PostgreSQL database for one benchmark run, dropped afterwards. */
export async function createBenchDatabase(
  adminUrl: string,
): Promise<{ url: string; db: DbHandle; drop(): Promise<void> }> {
  const name = `llmg_bench_${randomBytes(4).toString("hex")}`;
  const admin = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: adminUrl, max: 1 }) }),
  });
  await sql`create database ${sql.id(name)}`.execute(admin);
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const db = await openDatabase({ databaseUrl: url, poolSize: 2 });
  return {
    url,
    db,
    async drop() {
      await db.close();
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    },
  };
}
