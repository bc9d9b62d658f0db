import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import type { Database } from "./types";

export type DbKind = "postgres" | "pglite";

export interface DbHandle {
  db: Kysely<Database>;
  kind: DbKind;
  close(): Promise<void>;
  /** PGlite only: the whole data dir as a gzipped tarball (a template for tests). */
  dump?(): Promise<Blob>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  databaseUrl?: string;
  /** PGlite data directory; absent means in-memory (tests). */
  dataDir?: string;
  /** PGlite only: start from this data-dir dump (tests start from a migrated template). */
  loadDataDir?: Blob;
  poolSize?: number;
  /** PostgreSQL only: how long to wait for a connection (new, or a free one of the pool). */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL only: the server cancels a statement running longer (statement_timeout, and the
   * same for a transaction left idle); the client gives up this plus a margin after sending one
   * when no answer comes at all (a dead network). 0 turns both off (migrations).
   */
  statementTimeoutMs?: number;
}

export const DEFAULT_DB_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_DB_STATEMENT_TIMEOUT_MS = 30_000;
// Beyond the statement timeout, so the server's own cancel (a clean error) normally comes first.
const CLIENT_MARGIN_MS = 5_000;
// TCP keepalive probes start after this much silence: a peer that vanished is noticed even
// on an idle pooled connection.
const KEEPALIVE_DELAY_MS = 10_000;

interface PoolClientState {
  /** pg's query still waiting for an answer; set after a query_timeout gave up on it. */
  _activeQuery?: unknown;
  _queryable?: boolean;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Type parsers, chosen on purpose and identical for both drivers:
 * - numeric stays a string: it holds money, and a decimal string is exact where a float is not.
 * - int8 (bigint, count(*), sum of integers) becomes a number: token counts and serial ids stay
 *   below 2^53 by many orders of magnitude, and numbers keep the API's JSON natural. A value past
 *   2^53 would be a bug, so it throws rather than silently losing digits.
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds 2^53`);
  return n;
}

const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID) return parseInt8;
    if (oid === NUMERIC_OID) return (value: string) => value;
    // biome-ignore lint/suspicious/noExplicitAny: pg's own overloads are untyped here
    return pg.types.getTypeParser(oid, format as any);
  },
} as pg.CustomTypesConfig;

export async function openDatabase(options: OpenDatabaseOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    const statementMs = options.statementTimeoutMs ?? DEFAULT_DB_STATEMENT_TIMEOUT_MS;
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      types: pgTypes,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_DB_CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      ...(statementMs > 0
        ? {
            statement_timeout: statementMs,
            idle_in_transaction_session_timeout: statementMs,
            query_timeout: statementMs + CLIENT_MARGIN_MS,
          }
        : {}),
    });
    // An idle client's error (e.g. the server restarted) must not crash the process.
    pool.on("error", () => {});
    // Nor may a checked-out one's: pg emits a connection reset as an 'error' event on the client
    // (with no listener while it is checked out: the process would die) besides failing its
    // queries, which is how the caller learns of it.
    pool.on("connect", (client: pg.PoolClient) => {
      client.on("error", () => {});
    });
    // A query the client timed out on is still pending on its connection, and every later query
    // there would queue behind it: such a connection is dropped instead of going back to the pool.
    pool.on("release", (_err: unknown, client: pg.PoolClient) => {
      const state = client as unknown as PoolClientState;
      if (state._activeQuery) state._queryable = false;
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres", close: () => db.destroy() };
  }
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: { [INT8_OID]: parseInt8, [NUMERIC_OID]: (value: string) => value },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: "pglite",
    close: () => db.destroy(),
    dump: async () => {
      const dump = await pglite.dumpDataDir("gzip");
      return dump;
    },
  };
}
