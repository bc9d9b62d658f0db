import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema, hashKey } from "@llmg/api";
import { findActiveKeyByHash, openDatabase } from "@llmg/db";
import { openTestDatabase, testBackends } from "@llmg/db/testing";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli";

describe.each(testBackends())("CLI on %s", (kind) => {
  it("migrates, creates a user with a key, and a second key", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "llmg-cli-"));
    const database = kind === "postgres" ? await openTestDatabase("postgres") : undefined;
    const config = configSchema.parse({
      LLMG_DATA_DIR: dataDir,
      ...(database?.url ? { DATABASE_URL: database.url } : {}),
    });
    const lines: string[] = [];
    const out = (line: string) => lines.push(line);
    try {
      await runCli(["migrate"], config, out);
      expect(lines.pop()).toMatch(/applied|up to date/);
      await runCli(
        ["users", "create", "--email", "cli@example.com", "--budget", "12.50", "--rpm", "30"],
        config,
        out,
      );
      const userId = lines.join("\n").match(/user (usr_\w+)/)?.[1];
      const firstKey = lines.join("\n").match(/api key (llmg_\w+)/)?.[1];
      expect(userId).toBeDefined();
      await runCli(["keys", "create", "--user", userId!], config, out);
      const secondKey = lines.at(-2)?.match(/api key (llmg_\w+)/)?.[1];
      expect(secondKey).toBeDefined();
      expect(secondKey).not.toBe(firstKey);
      await expect(runCli(["users", "create", "--email", "cli@example.com"], config, out)).rejects.toThrow(
        /already exists/,
      );
      await expect(
        runCli(["users", "create", "--email", "x@example.com", "--budget", "lots"], config, out),
      ).rejects.toThrow();
      await expect(runCli(["frobnicate"], config, out)).rejects.toThrow(/unknown command/);

      const check = database ?? (await openDatabase({ dataDir: join(dataDir, "pgdata") }));
      try {
        const user = await check.db
          .selectFrom("users")
          .selectAll()
          .where("id", "=", userId!)
          .executeTakeFirstOrThrow();
        expect(user).toMatchObject({
          email: "cli@example.com",
          monthly_budget_usd: "12.50",
          rate_limit_rpm: 30,
        });
        for (const key of [firstKey!, secondKey!]) {
          expect((await findActiveKeyByHash(check.db, hashKey(key)))?.user_id).toBe(userId);
        }
      } finally {
        if (!database) await check.close();
      }
    } finally {
      await database?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
