/**
 * Gateway overhead, side by side: the same chat request sent straight to an instant fake OpenAI
 * upstream, through llmg (/v1, production mode: PostgreSQL + Redis, auth, limits, durable usage
 * rows) and through Portkey's open-source gateway, interleaved so drift hits all three alike.
 *
 *   pnpm bench:gateway [--quick] [--skip-variations]
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { sql } from "kysely";
import { request } from "undici";
import { createBenchDatabase, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "../lib/database";
import { buildServer } from "../lib/llmg-build";
import { freePort, rssMb, startProcess } from "../lib/processes";
import { percentile, round } from "../lib/stats";
import { chatBody, poolFor, type Target, timedFirstByte, timedRequest } from "./targets";

const { values: flags } = parseArgs({
  options: { quick: { type: "boolean" }, "skip-variations": { type: "boolean" } },
});
const quick = flags.quick === true;
const SEQUENTIAL = quick ? 400 : 2000;
const WARMUP = quick ? 100 : 300;
const STREAMED = quick ? 100 : 500;
const LOAD_SECONDS = quick ? 3 : 10;
const WARMUP_SECONDS = quick ? 2 : 5;
const CONNECTIONS = 32;
const VARIATION_REQUESTS = quick ? 200 : 1000;
const USAGE_ROWS = quick ? 500_000 : 5_000_000;
const EXTRA_KEYS = quick ? 20_000 : 100_000;

const root = resolve(import.meta.dirname, "../..");
const require = createRequire(import.meta.url);
const portkeyEntry = join(
  dirname(require.resolve("@portkey-ai/gateway/package.json")),
  "build/start-server.js",
);
const FAKE_KEY = "bench-upstream-key";
const log = (line: string) => process.stderr.write(`${line}\n`);

async function json(url: string, key: string, body?: unknown) {
  const res = await request(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await res.body.json()) as { data: Record<string, unknown> };
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${JSON.stringify(parsed)}`);
  return parsed.data;
}

/** Sequential latencies of the targets, one request each in turn. */
async function sequential(targets: Target[], count: number, prompt: string, warmup: number) {
  const pools = targets.map(poolFor);
  const samples = targets.map(() => [] as number[]);
  let failures = 0;
  try {
    for (let i = 0; i < warmup + count; i++) {
      for (const [t, target] of targets.entries()) {
        const r = await timedRequest(pools[t]!, target, chatBody(target, prompt));
        if (r.status !== 200) failures++;
        if (i >= warmup) samples[t]!.push(r.ms);
      }
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  return { samples, failures };
}

/**
 * Time to first byte of streamed requests. A target whose streaming fails is reported with the
 * reason instead of stopping the run (Portkey 1.15.2's streaming fails on Node 20, see below).
 */
async function streamingTtfb(targets: Target[]) {
  const pools = targets.map(poolFor);
  const samples = targets.map(() => [] as number[]);
  const failed = targets.map(() => undefined as string | undefined);
  try {
    for (let i = 0; i < STREAMED + 20; i++) {
      for (const [t, target] of targets.entries()) {
        if (failed[t]) continue;
        const r = await timedFirstByte(pools[t]!, target, chatBody(target, "Hello", true));
        if (r.status !== 200) failed[t] = `answered ${r.status}`;
        else if (i >= 20) samples[t]!.push(r.ms);
      }
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  return targets.map((target, t) => ({
    target: target.name,
    ttfb_p50_ms: failed[t] ? null : round(percentile(samples[t]!, 50)),
    ...(failed[t] ? { failed: failed[t] } : {}),
  }));
}

async function load(target: Target, seconds: number) {
  const result = await autocannon({
    url: `${target.origin}${target.path}`,
    method: "POST",
    connections: CONNECTIONS,
    duration: seconds,
    headers: { "content-type": "application/json", ...target.headers },
    body: chatBody(target, "Hello"),
  });
  return {
    rps: round(result.requests.average, 1),
    p99_ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    ok: result["2xx"],
  };
}

async function main() {
  const adminUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const bench = await createBenchDatabase(adminUrl);
  const stops: (() => Promise<void>)[] = [];
  try {
    const fake = await startProcess("node", ["--import", "tsx", "gateway/fake-upstream.ts"], {
      cwd: resolve(import.meta.dirname, ".."),
      env: { FAKE_KEY },
      ready: /FAKE_URL=(\S+)/,
    });
    stops.push(fake.stop);
    const fakeUrl = fake.match[1]!;
    log(`fake upstream ${fakeUrl}`);

    const adminKey = `llmg_admin_${randomBytes(24).toString("hex")}`;
    const llmgPort = await freePort();
    const llmg = await startProcess("node", [buildServer()], {
      cwd: root,
      env: {
        NODE_ENV: "production",
        PORT: String(llmgPort),
        HOST: "127.0.0.1",
        DATABASE_URL: bench.url,
        REDIS_URL: redisUrl,
        LLMG_ADMIN_KEY: adminKey,
        LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        LLMG_OPENAI_BASE_URL: fakeUrl,
        LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      },
      ready: /listening on (http:\/\/\S+)/,
    });
    stops.push(llmg.stop);
    const llmgUrl = llmg.match[1]!;
    log(`llmg ${llmgUrl}`);

    const portkeyPort = await freePort();
    const portkey = await startProcess("node", [portkeyEntry, `--port=${portkeyPort}`, "--headless"], {
      cwd: resolve(import.meta.dirname, ".."),
      ready: /hey|listening|running/i,
    });
    stops.push(portkey.stop);
    log(`portkey http://127.0.0.1:${portkeyPort}`);

    const user = await json(`${llmgUrl}/api/admin/users`, adminKey, {
      email: "bench@example.com",
      monthly_budget_usd: 1_000_000,
      rate_limit_rpm: 100_000_000,
      rate_limit_tpm: 1_000_000_000,
    });
    const key = await json(`${llmgUrl}/api/admin/users/${user.id}/keys`, adminKey, { name: "bench" });
    await json(`${llmgUrl}/api/credentials`, key.key as string, {
      provider: "openai",
      name: "fake",
      api_key: FAKE_KEY,
    });

    const fakeOrigin = new URL(fakeUrl).origin;
    const direct: Target = {
      name: "direct",
      origin: fakeOrigin,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${FAKE_KEY}` },
      model: "gpt-4o-mini",
    };
    const viaLlmg: Target = {
      name: "llmg",
      origin: llmgUrl,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${key.key}` },
      model: "openai/gpt-4o-mini",
    };
    const viaPortkey: Target = {
      name: "portkey",
      origin: `http://127.0.0.1:${portkeyPort}`,
      path: "/v1/chat/completions",
      headers: {
        authorization: `Bearer ${FAKE_KEY}`,
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": fakeUrl,
      },
      model: "gpt-4o-mini",
    };
    const targets = [direct, viaLlmg, viaPortkey];
    let llmgAnswered = 0;

    // A few seconds of load on each target first, so every process runs JIT-optimised code before
    // anything is measured (a few hundred requests leave both gateways visibly colder).
    log(`warm-up: ${WARMUP_SECONDS} s of load on each target`);
    for (const target of targets) {
      const warm = await load(target, WARMUP_SECONDS);
      if (target.name === "llmg") llmgAnswered += warm.ok;
    }

    log(`sequential: ${SEQUENTIAL} requests each after ${WARMUP} warm-up, interleaved`);
    const seq = await sequential(targets, SEQUENTIAL, "Hello", WARMUP);
    llmgAnswered += SEQUENTIAL + WARMUP;
    const p = (t: number, q: number) => percentile(seq.samples[t]!, q);
    const sequentialFigures = targets.map((target, t) => ({
      target: target.name,
      p50_ms: round(p(t, 50)),
      p99_ms: round(p(t, 99)),
      overhead_p50_ms: t === 0 ? 0 : round(p(t, 50) - p(0, 50)),
      overhead_p99_ms: t === 0 ? 0 : round(p(t, 99) - p(0, 99)),
    }));

    log(`streaming: ${STREAMED} streamed requests each, time to first byte`);
    const streaming = await streamingTtfb(targets);
    llmgAnswered += STREAMED + 20;
    const directTtfb = streaming[0]!.ttfb_p50_ms ?? Number.NaN;
    const streamingFigures = streaming.map((s, t) => ({
      ...s,
      ttfb_overhead_p50_ms:
        t === 0 || s.ttfb_p50_ms === null ? (t === 0 ? 0 : null) : round(s.ttfb_p50_ms - directTtfb),
    }));

    log(`load: ${CONNECTIONS} connections for ${LOAD_SECONDS} s each`);
    const loadFigures = [];
    for (const target of targets) {
      const figures = await load(target, LOAD_SECONDS);
      if (target.name === "llmg") llmgAnswered += figures.ok;
      loadFigures.push({ target: target.name, ...figures });
    }
    const memory = { llmg_rss_mb: rssMb(llmg.process.pid), portkey_rss_mb: rssMb(portkey.process.pid) };

    // Every request llmg answered with 200 must have its usage row.
    await new Promise((r) => setTimeout(r, 200));
    const recorded = await sql<{
      n: number;
    }>`select count(*)::int8 as n from requests where status = 'success'`.execute(bench.db.db);
    const recordedRows = recorded.rows[0]?.n ?? 0;

    const variations: Record<string, number> = {};
    if (!flags["skip-variations"]) {
      const overheadNow = async (prompt: string) => {
        const r = await sequential([direct, viaLlmg], VARIATION_REQUESTS, prompt, 50);
        return round(percentile(r.samples[1]!, 50) - percentile(r.samples[0]!, 50));
      };
      variations.overhead_p50_baseline_ms = await overheadNow("Hello");

      log(`variation: ${EXTRA_KEYS} more API keys`);
      await sql`insert into api_keys (id, user_id, name, prefix, key_hash)
        select 'key_bench_' || g, ${user.id as string}, null, 'llmg_bench', md5(g::text) || md5((g * 7)::text)
        from generate_series(1, ${EXTRA_KEYS}) g`.execute(bench.db.db);
      await sql`analyze api_keys`.execute(bench.db.db);
      variations[`overhead_p50_with_${EXTRA_KEYS}_keys_ms`] = await overheadNow("Hello");

      log(`variation: ${USAGE_ROWS} usage rows`);
      await sql`insert into requests (id, user_id, provider, model, endpoint, status, http_status, prompt_tokens,
          completion_tokens, prompt_cost, completion_cost, total_cost, latency_ms, created_at)
        select 'req_bench_' || g, ${user.id as string}, 'openai', 'gpt-4o-mini', 'v1', 'success', 200, 12, 34,
          0.0000018, 0.0000204, 0.0000222, 5, now() - (g % 7776000) * interval '1 second'
        from generate_series(1, ${USAGE_ROWS}) g`.execute(bench.db.db);
      // Measure the steady state, not the bulk load's aftermath: vacuum (which autovacuum would
      // otherwise run during the measurement) and a checkpoint to flush the seeding's WAL.
      await sql`vacuum (analyze) requests`.execute(bench.db.db);
      await sql`checkpoint`.execute(bench.db.db).catch(() => {}); // needs superuser; best effort
      variations[`overhead_p50_with_${USAGE_ROWS}_usage_rows_ms`] = await overheadNow("Hello");

      log("variation: 100 KB prompt");
      const bigPrompt = "lorem ipsum dolor sit amet ".repeat(Math.ceil(100_000 / 27)).slice(0, 100_000);
      variations.overhead_p50_100kb_prompt_ms = await overheadNow(bigPrompt);
      variations.added_by_100kb_prompt_ms = round(
        variations.overhead_p50_100kb_prompt_ms -
          variations[`overhead_p50_with_${USAGE_ROWS}_usage_rows_ms`]!,
      );
    }

    const result = {
      quick,
      machine: `${(await import("node:os")).cpus().length} cores, Node ${process.version}`,
      sequential: sequentialFigures,
      sequential_failures: seq.failures,
      streaming: streamingFigures,
      load: loadFigures,
      memory,
      llmg_answered_200: llmgAnswered,
      llmg_rows_recorded: recordedRows,
      variations,
    };
    printTable(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await bench.drop().catch(() => {});
  }
}

function printTable(r: {
  sequential: {
    target: string;
    p50_ms: number;
    p99_ms: number;
    overhead_p50_ms: number;
    overhead_p99_ms: number;
  }[];
  streaming: {
    target: string;
    ttfb_p50_ms: number | null;
    ttfb_overhead_p50_ms: number | null;
    failed?: string;
  }[];
  load: { target: string; rps: number; p99_ms: number; errors: number }[];
  memory: Record<string, number | null>;
  llmg_answered_200: number;
  llmg_rows_recorded: number;
  variations: Record<string, number>;
}) {
  const rows = r.sequential.map((s, i) => {
    const l = r.load[i]!;
    const st = r.streaming[i]!;
    return `| ${s.target.padEnd(7)} | ${String(s.p50_ms).padStart(7)} | ${String(s.p99_ms).padStart(7)} | ${String(s.overhead_p50_ms).padStart(8)} | ${String(s.overhead_p99_ms).padStart(8)} | ${String(st.ttfb_overhead_p50_ms ?? "failed").padStart(9)} | ${String(l.rps).padStart(8)} | ${String(l.p99_ms).padStart(7)} | ${String(l.errors).padStart(6)} |`;
  });
  const lines = [
    "| target  | p50 ms  | p99 ms  | +p50 ms  | +p99 ms  | +TTFB ms  | req/s    | p99 ms  | errors |",
    "|---------|---------|---------|----------|----------|-----------|----------|---------|--------|",
    ...rows,
    "",
    `RSS after load: llmg ${r.memory.llmg_rss_mb} MB, portkey ${r.memory.portkey_rss_mb} MB`,
    `llmg answered ${r.llmg_answered_200} with 200 and recorded ${r.llmg_rows_recorded} usage rows`,
    ...Object.entries(r.variations).map(([k, v]) => `${k}: ${v}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
