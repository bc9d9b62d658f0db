/**
 * Gateway overhead, side by side: the same chat request sent straight to an instant fake OpenAI
 * upstream, through llmg (/v1, production mode: PostgreSQL + Redis, auth, limits, durable usage
 * rows), through llmg with LLMG_USAGE_COMMIT=fast, through llmg with every call a response cache
 * hit (x-llmg-cache), and through Portkey's open-source gateway,
 * interleaved so drift hits all alike. Several rounds; each figure is the median of its rounds,
 * with the spread beside it, since single runs on a small shared VM swing by tens of percent.
 *
 *   pnpm bench:gateway [--quick] [--rounds N] [--skip-variations]
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { sql } from "kysely";
import { request } from "undici";
import { createBenchDatabase, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "../lib/database";
import { startLlmg } from "../lib/llmg-build";
import { freePort, rssMb, startProcess } from "../lib/processes";
import { median, percentile, round } from "../lib/stats";
import { chatBody, poolFor, type Target, timedFirstByte, timedRequest } from "./targets";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean" },
    rounds: { type: "string" },
    "skip-variations": { type: "boolean" },
  },
});
const quick = flags.quick === true;
const ROUNDS = Math.max(1, Number(flags.rounds ?? (quick ? 1 : 3)));
const SEQUENTIAL = quick ? 400 : 2000;
const WARMUP = quick ? 100 : 300;
const STREAMED = quick ? 100 : 500;
const LOAD_SECONDS = quick ? 3 : 10;
const WARMUP_SECONDS = quick ? 2 : 5;
const CONNECTIONS = 32;
const VARIATION_REQUESTS = quick ? 200 : 1000;
const USAGE_ROWS = quick ? 500_000 : 5_000_000;
const EXTRA_KEYS = quick ? 20_000 : 100_000;

const require = createRequire(import.meta.url);
const portkeyEntry = join(
  dirname(require.resolve("@portkey-ai/gateway/package.json")),
  "build/start-server.js",
);
const FAKE_KEY = "bench-upstream-key";
const log = (line: string) => process.stderr.write(`${line}\n`);

async function json(url: string, key: string, body?: unknown, method?: "PUT") {
  const res = await request(url, {
    method: method ?? (body === undefined ? "GET" : "POST"),
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

async function loadOn(target: Target, seconds: number) {
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

interface RoundFigures {
  sequential: { p50: number; p99: number; overheadP50: number; overheadP99: number }[];
  ttfb: (number | null)[];
  ttfbFailed: (string | undefined)[];
  load: { rps: number; p99: number; errors: number }[];
}

/** One round: sequential (interleaved), streaming time to first byte, then load on each target. */
async function measureRound(targets: Target[], onAnswered: (target: Target, ok: number) => void) {
  const seq = await sequential(targets, SEQUENTIAL, "Hello", WARMUP);
  for (const target of targets) onAnswered(target, SEQUENTIAL + WARMUP);
  const p = (t: number, q: number) => percentile(seq.samples[t]!, q);
  const streaming = await streamingTtfb(targets);
  for (const [t, target] of targets.entries()) if (!streaming[t]!.failed) onAnswered(target, STREAMED + 20);
  const load: RoundFigures["load"] = [];
  for (const target of targets) {
    const figures = await loadOn(target, LOAD_SECONDS);
    onAnswered(target, figures.ok);
    load.push({ rps: figures.rps, p99: figures.p99_ms, errors: figures.errors });
  }
  const round: RoundFigures = {
    sequential: targets.map((_, t) => ({
      p50: p(t, 50),
      p99: p(t, 99),
      overheadP50: p(t, 50) - p(0, 50),
      overheadP99: p(t, 99) - p(0, 99),
    })),
    ttfb: streaming.map((s) => s.ttfb_p50_ms),
    ttfbFailed: streaming.map((s) => s.failed),
    load,
  };
  return { round, failures: seq.failures };
}

/** A figure over the rounds: its median and its range. */
function spread(values: number[], digits = 3) {
  return {
    median: round(median(values), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
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
    const llmgEnv = {
      DATABASE_URL: bench.url,
      REDIS_URL: redisUrl,
      LLMG_ADMIN_KEY: adminKey,
      LLMG_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      LLMG_OPENAI_BASE_URL: fakeUrl,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    };
    const llmg = await startLlmg(llmgEnv);
    stops.push(llmg.stop);
    log(`llmg ${llmg.url}`);
    // The same database, Redis and user; only the usage rows' commit differs (LLMG_USAGE_COMMIT).
    const llmgFast = await startLlmg({ ...llmgEnv, LLMG_USAGE_COMMIT: "fast" });
    stops.push(llmgFast.stop);
    log(`llmg (LLMG_USAGE_COMMIT=fast) ${llmgFast.url}`);

    const portkeyPort = await freePort();
    const portkey = await startProcess("node", [portkeyEntry, `--port=${portkeyPort}`, "--headless"], {
      cwd: resolve(import.meta.dirname, ".."),
      ready: /hey|listening|running/i,
    });
    stops.push(portkey.stop);
    log(`portkey http://127.0.0.1:${portkeyPort}`);

    const user = await json(`${llmg.url}/api/admin/users`, adminKey, {
      email: "bench@example.com",
      monthly_budget_usd: 1_000_000,
      rate_limit_rpm: 100_000_000,
      rate_limit_tpm: 1_000_000_000,
    });
    const key = await json(`${llmg.url}/api/admin/users/${user.id}/keys`, adminKey, { name: "bench" });
    await json(`${llmg.url}/api/credentials`, key.key as string, {
      provider: "openai",
      name: "fake",
      api_key: FAKE_KEY,
    });

    // The same user's calls with every budget level on besides its own: a team with a budget, a key
    // with its own budget in that team, and a tag with a budget on each call.
    const team = await json(`${llmg.url}/api/admin/teams`, adminKey, {
      name: "bench-team",
      monthly_budget_usd: 1_000_000,
    });
    await json(`${llmg.url}/api/admin/teams/${team.id}/members`, adminKey, {
      user_id: user.id,
      role: "member",
    });
    const levelsKey = await json(`${llmg.url}/api/admin/users/${user.id}/keys`, adminKey, {
      name: "bench-levels",
      team_id: team.id,
      budget_usd: 1_000_000,
      budget_period: "month",
    });
    await json(
      `${llmg.url}/api/budget/tags/bench`,
      key.key as string,
      { monthly_budget_usd: 1_000_000 },
      "PUT",
    );

    // A named route (two targets in order, no cache): the route's lookup and the attempt loop.
    await json(`${llmg.url}/api/routes`, key.key as string, {
      name: "bench",
      strategy: "ordered",
      targets: [{ model: "openai/gpt-4o-mini" }, { model: "openai/gpt-4.1-nano" }],
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
      origin: llmg.url,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${key.key}` },
      model: "openai/gpt-4o-mini",
    };
    const viaLlmgFast: Target = { ...viaLlmg, name: "llmg-fast", origin: llmgFast.url };
    const viaLlmgLevels: Target = {
      ...viaLlmg,
      name: "llmg-levels",
      headers: { authorization: `Bearer ${levelsKey.key}`, "x-llmg-tags": "bench" },
    };
    // The response cache on: every request after the first is the same one, answered as a hit.
    const viaLlmgCache: Target = {
      ...viaLlmg,
      name: "llmg-cache",
      headers: { authorization: `Bearer ${key.key}`, "x-llmg-cache": "ttl=3600" },
    };
    const viaLlmgRoute: Target = { ...viaLlmg, name: "llmg-route", model: "route/bench" };
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
    const targets = [direct, viaLlmg, viaLlmgFast, viaLlmgLevels, viaLlmgCache, viaLlmgRoute, viaPortkey];
    let llmgAnswered = 0;
    const onAnswered = (target: Target, ok: number) => {
      if (target.name.startsWith("llmg")) llmgAnswered += ok;
    };

    // A few seconds of load on each target first, so every process runs JIT-optimised code before
    // anything is measured (a few hundred requests leave both gateways visibly colder).
    log(`warm-up: ${WARMUP_SECONDS} s of load on each target`);
    for (const target of targets) onAnswered(target, (await loadOn(target, WARMUP_SECONDS)).ok);

    const rounds: RoundFigures[] = [];
    let sequentialFailures = 0;
    for (let r = 1; r <= ROUNDS; r++) {
      log(
        `round ${r}/${ROUNDS}: ${SEQUENTIAL} sequential requests each (after ${WARMUP}), ${STREAMED} streamed, ${CONNECTIONS} connections for ${LOAD_SECONDS} s each`,
      );
      const measured = await measureRound(targets, onAnswered);
      rounds.push(measured.round);
      sequentialFailures += measured.failures;
    }
    const memory = {
      llmg_rss_mb: rssMb(llmg.process.pid),
      llmg_fast_rss_mb: rssMb(llmgFast.process.pid),
      portkey_rss_mb: rssMb(portkey.process.pid),
    };

    // Every request llmg answered with 200 must have its usage row.
    await new Promise((r) => setTimeout(r, 200));
    const recorded = await sql<{
      n: number;
    }>`select count(*)::int8 as n from requests where status = 'success'`.execute(bench.db.db);
    const recordedRows = recorded.rows[0]?.n ?? 0;

    const perTarget = targets.map((target, t) => {
      const over = (pick: (r: RoundFigures) => number) => spread(rounds.map(pick));
      const ttfb = rounds.map((r) => r.ttfb[t]).filter((v): v is number => v !== null);
      const directTtfb = rounds.map((r) => r.ttfb[0] ?? Number.NaN);
      const failed = rounds.find((r) => r.ttfbFailed[t])?.ttfbFailed[t];
      return {
        target: target.name,
        p50_ms: over((r) => r.sequential[t]!.p50),
        p99_ms: over((r) => r.sequential[t]!.p99),
        overhead_p50_ms: over((r) => r.sequential[t]!.overheadP50),
        overhead_p99_ms: over((r) => r.sequential[t]!.overheadP99),
        ttfb_overhead_p50_ms: failed ? null : spread(ttfb.map((v, i) => v - (directTtfb[i] ?? Number.NaN))),
        ...(failed ? { ttfb_failed: failed } : {}),
        load_rps: over((r) => r.load[t]!.rps),
        load_p99_ms: over((r) => r.load[t]!.p99),
        load_errors: rounds.reduce((sum, r) => sum + r.load[t]!.errors, 0),
      };
    });

    const variations: Record<string, number> = {};
    if (!flags["skip-variations"]) {
      // Each state is measured three times and the median kept: one short run swings by more
      // than the 20 % the comparison is about.
      // Both llmg targets: with durable commits, what a larger table costs shows up in the WAL
      // flush the call waits for; with fast commits it does not.
      const overheadNow = async (prompt: string, name: string) => {
        const durable: number[] = [];
        const fast: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await sequential([direct, viaLlmg, viaLlmgFast], VARIATION_REQUESTS, prompt, 50);
          const directP50 = percentile(r.samples[0]!, 50);
          durable.push(percentile(r.samples[1]!, 50) - directP50);
          fast.push(percentile(r.samples[2]!, 50) - directP50);
        }
        variations[`overhead_p50_${name}_ms`] = round(median(durable));
        variations[`fast_overhead_p50_${name}_ms`] = round(median(fast));
      };
      await overheadNow("Hello", "baseline");

      log(`variation: ${EXTRA_KEYS} more API keys`);
      await sql`insert into api_keys (id, user_id, name, prefix, key_hash)
        select 'key_bench_' || g, ${user.id as string}, null, 'llmg_bench', md5(g::text) || md5((g * 7)::text)
        from generate_series(1, ${EXTRA_KEYS}) g`.execute(bench.db.db);
      await sql`analyze api_keys`.execute(bench.db.db);
      await overheadNow("Hello", `with_${EXTRA_KEYS}_keys`);

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
      await overheadNow("Hello", `with_${USAGE_ROWS}_usage_rows`);

      log("variation: 100 KB prompt");
      const bigPrompt = "lorem ipsum dolor sit amet ".repeat(Math.ceil(100_000 / 27)).slice(0, 100_000);
      await overheadNow(bigPrompt, "100kb_prompt");
      variations.added_by_100kb_prompt_ms = round(
        variations.overhead_p50_100kb_prompt_ms! -
          variations[`overhead_p50_with_${USAGE_ROWS}_usage_rows_ms`]!,
      );
      variations.fast_added_by_100kb_prompt_ms = round(
        variations.fast_overhead_p50_100kb_prompt_ms! -
          variations[`fast_overhead_p50_with_${USAGE_ROWS}_usage_rows_ms`]!,
      );
    }

    const byName = (name: string) => perTarget.find((t) => t.target === name)!;
    const portkeyFigures = byName("portkey");
    const goals = ["llmg", "llmg-fast", "llmg-levels"].map((name) => {
      const figures = byName(name);
      return {
        target: name,
        overhead_p50_ratio_to_portkey: round(
          figures.overhead_p50_ms.median / portkeyFigures.overhead_p50_ms.median,
          2,
        ),
        overhead_p99_ms: figures.overhead_p99_ms.median,
        rps_ratio_to_portkey: round(figures.load_rps.median / portkeyFigures.load_rps.median, 2),
        load_errors: figures.load_errors,
      };
    });
    // Every level on (key budget, team, tag) against the plain call, side by side in this run.
    const plain = byName("llmg");
    const levels = byName("llmg-levels");
    const levelsVsPlain = {
      overhead_p50_ratio: round(levels.overhead_p50_ms.median / plain.overhead_p50_ms.median, 2),
      rps_ratio: round(levels.load_rps.median / plain.load_rps.median, 2),
    };
    // Cache hits against the plain call: no provider call, but still a rate-limit admission and a
    // durably committed row, so against an instant upstream the gap is small by construction.
    // A call through a named route against the plain call.
    const routed = byName("llmg-route");
    const routeVsPlain = {
      overhead_p50_ratio: round(routed.overhead_p50_ms.median / plain.overhead_p50_ms.median, 2),
      rps_ratio: round(routed.load_rps.median / plain.load_rps.median, 2),
    };
    const cached = byName("llmg-cache");
    const cacheVsPlain = {
      p50_ratio: round(cached.p50_ms.median / plain.p50_ms.median, 2),
      rps_ratio: round(cached.load_rps.median / plain.load_rps.median, 2),
    };

    const result = {
      quick,
      rounds: ROUNDS,
      machine: `${(await import("node:os")).cpus().length} cores, Node ${process.version}`,
      targets: perTarget,
      goals,
      levels_vs_plain: levelsVsPlain,
      cache_hit_vs_plain: cacheVsPlain,
      route_vs_plain: routeVsPlain,
      sequential_failures: sequentialFailures,
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

type Spread = { median: number; min: number; max: number };

function printTable(r: {
  rounds: number;
  targets: {
    target: string;
    p50_ms: Spread;
    p99_ms: Spread;
    overhead_p50_ms: Spread;
    overhead_p99_ms: Spread;
    ttfb_overhead_p50_ms: Spread | null;
    load_rps: Spread;
    load_p99_ms: Spread;
    load_errors: number;
  }[];
  goals: {
    target: string;
    overhead_p50_ratio_to_portkey: number;
    overhead_p99_ms: number;
    rps_ratio_to_portkey: number;
    load_errors: number;
  }[];
  levels_vs_plain: { overhead_p50_ratio: number; rps_ratio: number };
  cache_hit_vs_plain: { p50_ratio: number; rps_ratio: number };
  route_vs_plain: { overhead_p50_ratio: number; rps_ratio: number };
  memory: Record<string, number | null>;
  llmg_answered_200: number;
  llmg_rows_recorded: number;
  variations: Record<string, number>;
}) {
  const cell = (s: Spread | null, digits = 2) => {
    if (s === null) return "failed";
    const f = (v: number) => v.toFixed(digits);
    return r.rounds === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
  };
  const rows = r.targets.map((t) =>
    [
      t.target,
      cell(t.p50_ms),
      cell(t.p99_ms),
      t.target === "direct" ? "—" : cell(t.overhead_p50_ms),
      t.target === "direct" ? "—" : cell(t.overhead_p99_ms),
      t.target === "direct" ? "—" : cell(t.ttfb_overhead_p50_ms),
      cell(t.load_rps, 0),
      cell(t.load_p99_ms, 0),
      String(t.load_errors),
    ].join(" | "),
  );
  const lines = [
    `medians of ${r.rounds} round(s)${r.rounds > 1 ? ", (min–max)" : ""}; + = over direct`,
    "target | p50 ms | p99 ms | +p50 ms | +p99 ms | +TTFB p50 ms | req/s at 32 conns | load p99 ms | errors",
    ...rows,
    "",
    ...r.goals.map(
      (g) =>
        `${g.target}: p50 overhead ${g.overhead_p50_ratio_to_portkey}× Portkey's (goal ≤ 0.5), p99 overhead ${g.overhead_p99_ms} ms (goal ≤ 5), ${g.rps_ratio_to_portkey}× Portkey's req/s (goal ≥ 2) with ${g.load_errors} errors`,
    ),
    `llmg-levels (key budget + team + tag) vs llmg: p50 overhead ${r.levels_vs_plain.overhead_p50_ratio}×, req/s ${r.levels_vs_plain.rps_ratio}× (goal: within 10 %)`,
    `llmg-cache (every call a response cache hit) vs llmg: p50 ${r.cache_hit_vs_plain.p50_ratio}×, req/s ${r.cache_hit_vs_plain.rps_ratio}×`,
    `llmg-route (model route/bench, ordered) vs llmg: p50 overhead ${r.route_vs_plain.overhead_p50_ratio}×, req/s ${r.route_vs_plain.rps_ratio}×`,
    `RSS after load (MB): ${Object.entries(r.memory)
      .map(([k, v]) => `${k.replace(/_rss_mb$/, "")} ${v}`)
      .join(", ")} (goal < 200)`,
    `llmg answered ${r.llmg_answered_200} with 200 and recorded ${r.llmg_rows_recorded} usage rows`,
    ...Object.entries(r.variations).map(([k, v]) => `${k}: ${v}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
