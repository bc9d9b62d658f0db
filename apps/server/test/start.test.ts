import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../../..");

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output:\n${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`exited with ${code} before ${pattern}; output:\n${seen}`)),
    );
  });
}

/** Resolves once no process of the group is left (signal 0 probes without signalling). */
async function groupExited(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process group ${pgid} still running ${timeoutMs} ms after SIGTERM`);
}

describe("pnpm start with no environment", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "llmg-start-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("comes up on embedded PGlite, prints URL, docs and admin key, answers /healthz, serves the dashboard, and drains on SIGTERM", async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: "0",
      LLMG_DATA_DIR: dataDir,
    };
    const child = spawn("pnpm", ["start"], {
      cwd: repoRoot,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const [, url] = await waitForOutput(
        child,
        /listening on (http:\/\/127\.0\.0\.1:\d+)[^\n]*embedded[\s\S]*ADMIN KEY[^\n]*\n\s+(llmg_admin_\w+)/,
        90_000,
      );
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { data: { status: string } }).data.status).toBe("ok");
      const ready = (await (await fetch(`${url}/readyz`)).json()) as { data: { checks: { name: string }[] } };
      expect(ready.data.checks.map((c) => c.name)).toEqual(["database (pglite)"]);
      // `pnpm start` builds the web dashboard when it is missing or stale, and serves it at /.
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');

      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      process.kill(-child.pid!, "SIGTERM");
      await exited;
      // `child` is pnpm, which may exit before the gateway it started has finished draining: the
      // whole process group must be gone before the port can be expected to refuse.
      await groupExited(child.pid!, 30_000);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // The group is already gone (the normal end).
      }
    }
  }, 120_000);
});
