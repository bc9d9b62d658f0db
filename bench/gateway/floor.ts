/**
 * The floor on this machine: what one hop costs a chat call, measured with the least a gateway
 * can do (floor-proxy.ts) side by side with the direct call, interleaved like bench:gateway.
 * It separates what llmg's code costs from what its round trips to Redis and PostgreSQL cost.
 *
 *   pnpm --filter @llmg/bench exec tsx gateway/floor.ts [--requests 2000]
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createBenchDatabase, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "../lib/database";
import { startProcess } from "../lib/processes";
import { percentile, round } from "../lib/stats";
import { chatBody, poolFor, type Target, timedRequest } from "./targets";

const { values } = parseArgs({ options: { requests: { type: "string" } } });
const REQUESTS = Number(values.requests ?? 2000);
const MODES = ["bare", "redis", "pg-fast", "pg-durable", "redis+pg-durable"];
const FAKE_KEY = "bench-upstream-key";
const cwd = resolve(import.meta.dirname, "..");

const bench = await createBenchDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
const redisPort = new URL(process.env.REDIS_URL ?? DEFAULT_REDIS_URL).port || "6379";
const stops: (() => Promise<void>)[] = [];
try {
  const fake = await startProcess("node", ["--import", "tsx", "gateway/fake-upstream.ts"], {
    cwd,
    env: { FAKE_KEY },
    ready: /FAKE_URL=(\S+)/,
  });
  stops.push(fake.stop);
  const fakeOrigin = new URL(fake.match[1]!).origin;
  const targets: { mode: string; target: Target }[] = [
    {
      mode: "direct",
      target: {
        name: "direct",
        origin: fakeOrigin,
        path: "/v1/chat/completions",
        headers: {},
        model: "gpt-4o-mini",
      },
    },
  ];
  for (const mode of MODES) {
    const proxy = await startProcess(
      "node",
      ["--import", "tsx", "gateway/floor-proxy.ts", mode, fakeOrigin, bench.url, redisPort],
      { cwd, ready: /FLOOR_URL=(\S+)/ },
    );
    stops.push(proxy.stop);
    targets.push({
      mode,
      target: {
        name: "direct",
        origin: proxy.match[1]!,
        path: "/v1/chat/completions",
        headers: {},
        model: "gpt-4o-mini",
      },
    });
  }
  const headers = { authorization: `Bearer ${FAKE_KEY}` };
  const pools = targets.map(({ target }) => poolFor(target));
  const samples = targets.map(() => [] as number[]);
  const warmup = Math.min(500, REQUESTS / 4);
  for (let i = 0; i < warmup + REQUESTS; i++) {
    for (const [t, { target }] of targets.entries()) {
      const r = await timedRequest(pools[t]!, { ...target, headers }, chatBody(target, "Hello"));
      if (r.status !== 200) throw new Error(`${targets[t]!.mode} answered ${r.status}`);
      if (i >= warmup) samples[t]!.push(r.ms);
    }
  }
  await Promise.all(pools.map((p) => p.close()));
  const directP50 = percentile(samples[0]!, 50);
  const rows = targets.map(({ mode }, t) => ({
    mode,
    p50_ms: round(percentile(samples[t]!, 50)),
    overhead_p50_ms: round(percentile(samples[t]!, 50) - directP50),
  }));
  for (const row of rows)
    process.stdout.write(`${row.mode.padEnd(18)} p50 ${row.p50_ms} ms, +${row.overhead_p50_ms} ms\n`);
  process.stdout.write(`${JSON.stringify({ requests: REQUESTS, floor: rows })}\n`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await bench.drop().catch(() => {});
}
