/**
 * Analytics at scale: one user with N request rows over 90 days in PostgreSQL, the rollup from
 * scratch, then p50/p95 of the analytics endpoints over HTTP against the real server, and the
 * incremental rollup of 10K new rows.
 *
 *   pnpm bench:analytics [--rows 10000000] [--samples 50] [--reuse] [--skip-dashboard]
 *
 * Then the dashboard's pages rendered in Chromium against the same database (skipped with
 * --skip-dashboard, or when /usr/bin/chromium is missing). --dashboard-only (with --reuse, after
 * a full run) times only the dashboard, on the rollups the last run left.
 *
 * --reuse keeps the seeded database (llmg_bench_analytics) between runs and skips seeding when
 * it already holds --rows rows.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Database, migrateToLatest, openDatabase } from "@llmg/db";
import { type Kysely, sql } from "kysely";
import { startProcess } from "../lib/processes";
import { type PageTiming, timeDashboard } from "./dashboard";
import { createBenchUser, DAY_MS, insertRange, type SeedTarget, secondaryIndexes } from "./seed";
import { type Timing, timeEndpoint } from "./timing";

const { values: flags } = parseArgs({
  options: {
    rows: { type: "string", default: "10000000" },
    samples: { type: "string", default: "50" },
    reuse: { type: "boolean", default: false },
    "skip-dashboard": { type: "boolean", default: false },
    "dashboard-only": { type: "boolean", default: false },
    "admin-url": {
      type: "string",
      default: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    },
    "redis-url": { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
  },
});
const ROWS = Number(flags.rows);
const SAMPLES = Number(flags.samples);
if (!Number.isSafeInteger(ROWS) || ROWS < 1000) throw new Error("--rows must be a whole number ≥ 1000");
if (!Number.isSafeInteger(SAMPLES) || SAMPLES < 5) throw new Error("--samples must be a whole number ≥ 5");
const INCREMENTAL_ROWS = 10_000;
const CHUNK = 500_000;
const DB_NAME = "llmg_bench_analytics";
const root = resolve(import.meta.dirname, "../..");
const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

function databaseUrl(name: string): string {
  const url = new URL(flags["admin-url"]);
  url.pathname = `/${name}`;
  return url.toString();
}

async function prepareDatabase(): Promise<{ fresh: boolean }> {
  const admin = await openDatabase({ databaseUrl: flags["admin-url"], poolSize: 1 });
  try {
    const exists = await sql`select 1 from pg_database where datname = ${DB_NAME}`.execute(admin.db);
    if (exists.rows.length > 0 && flags.reuse) return { fresh: false };
    await sql`drop database if exists ${sql.id(DB_NAME)} with (force)`.execute(admin.db);
    await sql`create database ${sql.id(DB_NAME)}`.execute(admin.db);
    return { fresh: true };
  } finally {
    await admin.close();
  }
}

/** Bulk load: indexes dropped first and built once at the end, two loaders for two cores. */
async function seed(db: Kysely<Database>, target: SeedTarget, rows: number, start: Date, spanMs: number) {
  const t0 = performance.now();
  const indexes = await secondaryIndexes(db);
  for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(db);
  const superuser =
    (await sql<{ su: boolean }>`select usesuper as su from pg_user where usename = current_user`.execute(db))
      .rows[0]?.su === true;
  const chunks: [number, number][] = [];
  for (let lo = 1; lo <= rows; lo += CHUNK) chunks.push([lo, Math.min(rows, lo + CHUNK - 1)]);
  let done = 0;
  const loader = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      const [lo, hi] = chunk;
      await db.transaction().execute(async (trx) => {
        // Bench only: skip the per-row foreign-key check (needs a superuser; the rows are ours).
        if (superuser) await sql`set local session_replication_role = replica`.execute(trx);
        await insertRange(trx, target, { lo, hi, total: rows, start, spanMs, idPrefix: "req_b" });
      });
      done += hi - lo + 1;
      log(`  seeded ${done.toLocaleString("en")} / ${rows.toLocaleString("en")}`);
    }
  };
  await Promise.all([loader(), loader()]);
  const inserted = performance.now();
  // One connection, so the memory setting applies to every build; no statement timeout: a
  // build over 10 M rows (the tags GIN index above all) runs longer than any request may.
  await db.connection().execute(async (conn) => {
    await sql`set maintenance_work_mem = '512MB'`.execute(conn);
    await sql`set statement_timeout = 0`.execute(conn);
    for (const index of indexes) {
      await sql.raw(index.def).execute(conn);
      log(`  index ${index.name} built`);
    }
  });
  const indexed = performance.now();
  // Sets the visibility map (index-only scans) and the planner's statistics.
  await sql`vacuum analyze requests`.execute(db);
  const vacuumed = performance.now();
  return {
    insert_s: seconds(inserted - t0),
    indexes_s: seconds(indexed - inserted),
    vacuum_s: seconds(vacuumed - indexed),
    total_s: seconds(vacuumed - t0),
  };
}

/** Runs `pnpm llmg rollups ...` on the bench database and reads the duration it reports. */
async function cliRollup(args: string[]): Promise<{ ms: number; line: string }> {
  const child = await startProcess("node_modules/.bin/tsx", ["apps/server/src/cli.ts", "rollups", ...args], {
    cwd: root,
    env: { DATABASE_URL: databaseUrl(DB_NAME), LOG_LEVEL: "silent" },
    ready: /rollups [^\n]* in (\d+) ms[^\n]*\n/,
    timeoutMs: 30 * 60_000,
  });
  await child.stop();
  return { ms: Number(child.match[1]), line: child.match[0].trim() };
}

async function main() {
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GB RAM`;
  log(`analytics bench: ${ROWS.toLocaleString("en")} rows, ${SAMPLES} samples per endpoint, ${machine}`);
  const { fresh } = await prepareDatabase();
  // Index builds and the vacuum over 10 M rows take minutes: no client-side query timeout.
  const handle = await openDatabase({
    databaseUrl: databaseUrl(DB_NAME),
    poolSize: 3,
    statementTimeoutMs: 60 * 60_000,
  });
  const db = handle.db;
  let server: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    await migrateToLatest(db);
    const now = Date.now();
    const start = new Date(now - 90 * DAY_MS);
    const existing = fresh
      ? 0
      : Number((await sql<{ n: number }>`select count(*) as n from requests`.execute(db)).rows[0]?.n);
    let target: SeedTarget & { key: string };
    let seeding: Awaited<ReturnType<typeof seed>> | null = null;
    if (existing !== ROWS + INCREMENTAL_ROWS && existing !== ROWS) {
      if (!fresh) throw new Error(`${DB_NAME} holds ${existing} rows, not ${ROWS}: run without --reuse`);
      target = await createBenchUser(db);
      await sql`insert into settings (key, value) values ('bench_key', ${JSON.stringify(target)})`.execute(
        db,
      );
      log("seeding...");
      seeding = await seed(db, target, ROWS, start, 90 * DAY_MS);
      log(`seeded in ${seeding.total_s} s`);
    } else {
      const saved = await sql<{ value: string }>`select value from settings where key = 'bench_key'`.execute(
        db,
      );
      target = JSON.parse(saved.rows[0]?.value ?? "{}");
      // The last run's incremental rows go before the rebuild below. With --dashboard-only there
      // is no rebuild: they stay, or the rollups would count rows that are gone.
      if (!flags["dashboard-only"]) await sql`delete from requests where id like 'req_i%'`.execute(db);
    }

    const dashboardOnly = flags["dashboard-only"];
    if (dashboardOnly && seeding)
      throw new Error("--dashboard-only needs a seeded database: run once without it");
    log(dashboardOnly ? "rollups: as the last run left them" : "rollup from scratch...");
    const full = dashboardOnly ? { ms: 0, line: "(skipped)" } : await cliRollup(["rebuild"]);
    log(`  ${full.line}`);

    if (!flags["skip-dashboard"]) {
      // The dashboard the server serves at / (built only when missing or stale).
      execFileSync("node", ["scripts/web-build.mjs", "--strict"], { cwd: root, stdio: "inherit" });
    }
    const adminKey = `llmg_admin_${randomBytes(24).toString("hex")}`;
    server = await startProcess("node_modules/.bin/tsx", ["apps/server/src/main.ts"], {
      cwd: root,
      env: {
        DATABASE_URL: databaseUrl(DB_NAME),
        // With Redis the server runs no rollups of its own: only the bench's runs count.
        REDIS_URL: flags["redis-url"],
        PORT: "0",
        LOG_LEVEL: "warn",
        LLMG_ADMIN_KEY: adminKey,
        LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      },
      ready: /listening on (http:\/\/[^\s]+)/,
    });
    const origin = server.match[1] as string;
    const range = `from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(new Date(now).toISOString())}`;
    const endpoints: [string, string][] = [
      ["summary (90 days)", `/api/usage/summary?${range}`],
      ["summary (this month, default)", "/api/usage/summary"],
      ...(["cost", "requests", "tokens", "latency"] as const).map((type): [string, string] => [
        `charts ${type} (day, 90 days)`,
        `/api/usage/charts?type=${type}&granularity=day&${range}`,
      ]),
      [
        "charts cost by model (day, 90 days)",
        `/api/usage/charts?type=cost&granularity=day&group_by=model&${range}`,
      ],
      [
        "charts requests (hour, 7 days)",
        `/api/usage/charts?type=requests&granularity=hour&from=${encodeURIComponent(new Date(now - 7 * DAY_MS).toISOString())}`,
      ],
      ["requests page 1", "/api/usage/requests?page=1"],
      ["requests page 1,000", "/api/usage/requests?page=1000"],
      ["requests page 1,000 (per_page 100)", "/api/usage/requests?page=1000&per_page=100"],
      ["requests page 1,000 by cost", "/api/usage/requests?page=1000&sort=cost"],
      ["requests page 1 provider=openai", "/api/usage/requests?provider=openai"],
    ];
    const timings: Timing[] = [];
    const dashboard = flags["skip-dashboard"]
      ? null
      : await timeDashboard(origin, target.key, Math.min(SAMPLES, 20), log);
    if (dashboardOnly) {
      printTable({
        rows: ROWS,
        machine,
        postgres: "",
        seeding_s: null,
        full_rollup_ms: 0,
        incremental_rollup_ms: 0,
        endpoints: [],
        dashboard,
      });
      return;
    }
    for (const [name, path] of endpoints) {
      const timing = await timeEndpoint(origin, target.key, name, path, SAMPLES);
      log(`  ${name}: p50 ${timing.p50_ms} ms, p95 ${timing.p95_ms} ms`);
      timings.push(timing);
    }
    // The cursor of page 1,000 (from the page-number answer), then the page after it by cursor.
    const cursorOf = await fetch(`${origin}/api/usage/requests?page=1000`, {
      headers: { authorization: `Bearer ${target.key}` },
    });
    const cursor = ((await cursorOf.json()) as { pagination: { next_cursor: string } }).pagination
      .next_cursor;
    timings.push(
      await timeEndpoint(
        origin,
        target.key,
        "requests page 1,001 by cursor",
        `/api/usage/requests?cursor=${cursor}`,
        SAMPLES,
      ),
    );

    log(`incremental rollup of ${INCREMENTAL_ROWS.toLocaleString("en")} new rows...`);
    await insertRange(db, target, {
      lo: 1,
      hi: INCREMENTAL_ROWS,
      total: INCREMENTAL_ROWS,
      start: new Date(Date.now() - 60_000),
      spanMs: 60_000,
      idPrefix: "req_i",
    });
    const incremental = await cliRollup(["run"]);
    log(`  ${incremental.line}`);

    const pg =
      (await sql<{ v: string }>`select version() as v`.execute(db)).rows[0]?.v.split(" on ")[0] ?? "";
    const result = {
      rows: ROWS,
      machine,
      postgres: pg,
      seeding_s: seeding,
      full_rollup_ms: full.ms,
      incremental_rollup_ms: incremental.ms,
      incremental_rows: INCREMENTAL_ROWS,
      endpoints: timings,
      dashboard,
    };
    printTable(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await server?.stop();
    await handle.close();
  }
}

function printTable(r: {
  rows: number;
  machine: string;
  postgres: string;
  seeding_s: { total_s: number; insert_s: number; indexes_s: number; vacuum_s: number } | null;
  full_rollup_ms: number;
  incremental_rollup_ms: number;
  endpoints: Timing[];
  dashboard: PageTiming[] | null;
}) {
  const lines = [
    "",
    `analytics at ${r.rows.toLocaleString("en")} rows — ${r.machine}, ${r.postgres}`,
    "",
    r.seeding_s
      ? `seeding                 ${r.seeding_s.total_s} s (insert ${r.seeding_s.insert_s} s, indexes ${r.seeding_s.indexes_s} s, vacuum analyze ${r.seeding_s.vacuum_s} s)`
      : "seeding                 (reused)",
    `rollup from scratch     ${seconds(r.full_rollup_ms)} s`,
    `incremental 10K rows    ${r.incremental_rollup_ms} ms`,
    "",
    `${"endpoint".padEnd(40)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"max ms".padStart(9)}`,
    ...r.endpoints.map(
      (e) =>
        `${e.name.padEnd(40)}${String(e.p50_ms).padStart(9)}${String(e.p95_ms).padStart(9)}${String(e.max_ms).padStart(9)}`,
    ),
    "",
    ...(r.dashboard
      ? [
          `${"dashboard page (rendered)".padEnd(40)}${"cold p50".padStart(9)}${"warm p50".padStart(9)}${"warm p95".padStart(9)}`,
          ...r.dashboard.map(
            (d) =>
              `${d.name.padEnd(40)}${String(d.cold_p50_ms).padStart(9)}${String(d.warm_p50_ms).padStart(9)}${String(d.warm_p95_ms).padStart(9)}`,
          ),
          "",
        ]
      : []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
