/**
 * CPU profile of llmg's chat hot path: llmg (production mode) under `node --cpu-prof`, driven by
 * sequential /v1 chat calls against the instant fake upstream, then the profile's self time
 * summed by function and by package. Look here before guessing what to optimise.
 *
 *   pnpm --filter @llmg/bench exec tsx gateway/profile.ts [--requests 5000] [--concurrency 8]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { request } from "undici";
import { createBenchDatabase, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "../lib/database";
import { startLlmg } from "../lib/llmg-build";
import { startProcess } from "../lib/processes";
import { chatBody, poolFor, type Target, timedRequest } from "./targets";

const { values } = parseArgs({ options: { requests: { type: "string" }, concurrency: { type: "string" } } });
const REQUESTS = Number(values.requests ?? 5000);
const CONCURRENCY = Number(values.concurrency ?? 1);
const FAKE_KEY = "bench-upstream-key";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function summarise(profile: Profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    const url = frame.url.replace(/^file:\/\//, "");
    const pkg =
      /node_modules\/\.pnpm\/([^/]+)/.exec(url)?.[1]?.replace(/@\d.*$/, "") ??
      (url.includes("/packages/") || url.includes("/apps/")
        ? `llmg:${/(packages|apps)\/([^/]+)/.exec(url)?.[2]}`
        : url
          ? "node:internal"
          : `(${frame.functionName || "program"})`);
    const fn = `${frame.functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  return { total, functions: top(byFunction, 30), packages: top(byPackage, 20) };
}

async function main() {
  const bench = await createBenchDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const profileDir = mkdtempSync(join(tmpdir(), "llmg-prof-"));
  const fake = await startProcess("node", ["--import", "tsx", "gateway/fake-upstream.ts"], {
    cwd: resolve(import.meta.dirname, ".."),
    env: { FAKE_KEY },
    ready: /FAKE_URL=(\S+)/,
  });
  const adminKey = `llmg_admin_${randomBytes(24).toString("hex")}`;
  const llmg = await startLlmg(
    {
      DATABASE_URL: bench.url,
      REDIS_URL: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
      LLMG_ADMIN_KEY: adminKey,
      LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      LLMG_OPENAI_BASE_URL: fake.match[1]!,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    },
    ["--cpu-prof", `--cpu-prof-dir=${profileDir}`],
  );
  try {
    const url = llmg.url;
    const post = async (path: string, key: string, body: unknown) => {
      const res = await request(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return ((await res.body.json()) as { data: Record<string, string> }).data;
    };
    const user = await post("/api/admin/users", adminKey, {
      email: "prof@example.com",
      monthly_budget_usd: 1000000,
    });
    const key = await post(`/api/admin/users/${user.id}/keys`, adminKey, {});
    await post("/api/credentials", key.key!, { provider: "openai", name: "fake", api_key: FAKE_KEY });
    const target: Target = {
      name: "llmg",
      origin: url,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${key.key}` },
      model: "openai/gpt-4o-mini",
    };
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const pool = poolFor(target);
        for (let i = 0; i < REQUESTS / CONCURRENCY; i++)
          await timedRequest(pool, target, chatBody(target, "Hello"));
        await pool.close();
      }),
    );
    process.stderr.write(`${REQUESTS} requests in ${Date.now() - started} ms\n`);
  } finally {
    await llmg.stop();
    await fake.stop();
    await bench.drop();
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("no profile written");
  const summary = summarise(JSON.parse(readFileSync(join(profileDir, file), "utf8")) as Profile);
  process.stdout.write(
    `profile: ${join(profileDir, file)}\n\nby package (self time)\n${summary.packages.join("\n")}\n\nby function (self time)\n${summary.functions.join("\n")}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
