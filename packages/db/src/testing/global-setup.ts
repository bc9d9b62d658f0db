import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../connection";
import { migrateToLatest } from "../migrate";
import { migrationProvider } from "../migrations";
import { hostPort, tcpAnswers } from "./probe";

import "./provided";

const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_REDIS = "redis://127.0.0.1:6379";

/**
 * Decides once per run which real services the suites use. With DATABASE_URL/REDIS_URL set
 * (CI) they must answer; without, the default local addresses are tried, and what does not
 * answer is skipped by name — except under CI=true, where a missing service fails the run.
 */
async function resolveService(name: string, envUrl: string | undefined, fallback: string, port: number) {
  const url = envUrl || fallback;
  const { host, port: p } = hostPort(url, port);
  if (await tcpAnswers(host, p)) return url;
  if (envUrl || process.env.CI === "true") {
    throw new Error(
      `${name} at ${host}:${p} does not answer (required ${envUrl ? "because it is configured" : "under CI=true"})`,
    );
  }
  process.stderr.write(`\n[llmg tests] ${name} does not answer at ${host}:${p}: its suites are SKIPPED.\n`);
  return null;
}

async function pgliteTemplate(): Promise<string> {
  // One migrated template per migration set, shared by every package's run: initdb in WASM
  // takes seconds, loading a dump a fraction of that. The tag hashes the migrations' source, so
  // editing a migration (not only adding one) never reuses a stale template.
  const migrationsDir = join(import.meta.dirname, "../migrations");
  const hash = createHash("sha256");
  for (const file of readdirSync(migrationsDir).sort())
    hash.update(file).update(readFileSync(join(migrationsDir, file)));
  hash.update(
    Object.keys(await migrationProvider.getMigrations())
      .sort()
      .join(","),
  );
  const tag = hash.digest("hex").slice(0, 24);
  const dir = join(tmpdir(), "llmg-test-templates");
  const path = join(dir, `pglite-${tag}.tgz`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const handle = await openDatabase({});
  await migrateToLatest(handle.db);
  const dump = await handle.dump?.();
  await handle.close();
  if (!dump) throw new Error("PGlite handle cannot dump");
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, path);
  return path;
}

export default async function setup(project: TestProject) {
  const pgUrl = await resolveService("PostgreSQL", process.env.DATABASE_URL, DEFAULT_PG, 5432);
  const redisUrl = await resolveService("Redis", process.env.REDIS_URL, DEFAULT_REDIS, 6379);
  project.provide("pgUrl", pgUrl);
  project.provide("redisUrl", redisUrl);
  project.provide("pgliteTemplate", await pgliteTemplate());
}
