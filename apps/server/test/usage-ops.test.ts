import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catchUpRollups, configSchema } from "@llmg/api";
import { createUser, readRollupState } from "@llmg/db";
import { openTestDatabase, testRedisUrl } from "@llmg/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../src/cli";
import { call } from "./harness";
import { generate, rollUp, startUsageFixture, type UsageFixture } from "./usage-fixture";

const hasPg = Boolean(inject("pgUrl"));

describe.skipIf(!hasPg || !testRedisUrl())("/readyz reports rollup worker lag with Redis configured", () => {
  let f: UsageFixture;
  beforeAll(async () => {
    f = await startUsageFixture("postgres", { redis: true });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("says never_ran, then ok with nothing behind, then counts rows past the watermark", async () => {
    await generate(f.db, {
      userId: f.a.user.id,
      count: 12,
      from: new Date(Date.now() - 3_600_000),
      to: new Date(),
      seed: 41,
    });
    const before = await call(`${f.t.url}/readyz`, { key: f.t.adminKey });
    expect(before.status).toBe(200);
    expect(before.body.data.worker).toMatchObject({
      status: "never_ran",
      lag_seconds: null,
      rows_behind: 12,
    });

    await rollUp(f.db);
    const after = await call(`${f.t.url}/readyz`, { key: f.t.adminKey });
    expect(after.body.data.worker).toMatchObject({ status: "ok", rows_behind: 0, last_error: null });
    expect(after.body.data.worker.lag_seconds).toBeLessThan(60);

    await generate(f.db, {
      userId: f.a.user.id,
      count: 3,
      from: new Date(Date.now() - 60_000),
      to: new Date(),
      seed: 42,
      idPrefix: "more",
    });
    const behind = await call(`${f.t.url}/readyz`, { key: f.t.adminKey });
    expect(behind.body.data.worker.rows_behind).toBe(3);
    expect(behind.body.data.status).toBe("ready");
  });
});

describe.skipIf(!hasPg)("pnpm llmg rollups", () => {
  it("rolls up, rebuilds from a date without changing a number, and refuses a bad date", async () => {
    const database = await openTestDatabase("postgres");
    const dataDir = mkdtempSync(join(tmpdir(), "llmg-rollups-cli-"));
    const config = configSchema.parse({ LLMG_DATA_DIR: dataDir, DATABASE_URL: database.url });
    const lines: string[] = [];
    const out = (line: string) => lines.push(line);
    const snapshot = async () =>
      (
        await sql<{
          granularity: string;
          requests: number;
        }>`select granularity, bucket_start, provider, model, requests, cost::text as cost, latency_hist::text as h
          from usage_rollups order by 1, 2, 3, 4`.execute(database.db)
      ).rows;
    try {
      const user = await createUser(database.db, { email: "cli-rollups@example.com" });
      await generate(database.db, {
        userId: user.id,
        count: 400,
        from: new Date("2025-06-01T00:00:00Z"),
        to: new Date("2025-06-10T00:00:00Z"),
        seed: 43,
      });

      await runCli(["rollups", "run"], config, out);
      expect(lines.pop()).toMatch(
        /^rollups rebuilt all: \d+ rows into \d+ hourly buckets in \d+ ms \(watermark \d+\)$/,
      );
      // Another database's open transaction can hold the watermark back for a moment.
      await catchUpRollups(database.db);
      const first = await snapshot();
      expect(first.reduce((n, r) => n + (r.granularity === "day" ? Number(r.requests) : 0), 0)).toBe(400);
      expect(first.length).toBeGreaterThan(0);

      await runCli(["rollups", "rebuild", "--from", "2025-06-05T13:00:00Z"], config, out);
      expect(lines.pop()).toMatch(/^rollups rebuilt from 2025-06-05: \d+ rows/);
      expect(await snapshot()).toEqual(first);

      await generate(database.db, {
        userId: user.id,
        count: 7,
        from: new Date("2025-06-02T00:00:00Z"),
        to: new Date("2025-06-03T00:00:00Z"),
        seed: 44,
        idPrefix: "late",
      });
      await runCli(["rollups", "run"], config, out);
      expect(lines.pop()).toMatch(/^rollups incremental: \d+ rows/);
      await catchUpRollups(database.db);
      expect((await readRollupState(database.db))?.last_error).toBeNull();

      await runCli(["rollups", "rebuild"], config, out);
      expect(lines.pop()).toMatch(/^rollups rebuilt all: \d+ rows/);
      await catchUpRollups(database.db);
      expect(
        (await snapshot()).reduce((n, r) => n + (r.granularity === "day" ? Number(r.requests) : 0), 0),
      ).toBe(407);

      // An operator's command, like the migrations: a rebuild over months of rows must not be
      // cut short by the statement timeout meant for requests (here 1 ms).
      const strict = configSchema.parse({
        LLMG_DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        LLMG_DB_STATEMENT_TIMEOUT_MS: "1",
      });
      await runCli(["rollups", "rebuild"], strict, out);
      expect(lines.pop()).toMatch(/^rollups rebuilt all: 407 rows/);

      await expect(runCli(["rollups", "rebuild", "--from", "June"], config, out)).rejects.toThrow(
        /--from must be a date/,
      );
      await expect(runCli(["rollups", "run", "--from", "2025-06-01"], config, out)).rejects.toThrow(
        /only applies to rollups rebuild/,
      );
    } finally {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
