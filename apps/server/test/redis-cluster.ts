import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

const run = promisify(execFile);

/** A real Redis Cluster of three masters on loopback, started from the machine's redis-server. */
export interface LocalCluster {
  /** "host:port,host:port,…", as LLMG_COUNTERS_REDIS_CLUSTER takes it. */
  nodes: string;
  ports: number[];
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 17_000 + Math.floor(Math.random() * 3_000);
    if (taken.has(port)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) return port;
  }
  throw new Error("no free port pair for a Redis Cluster node");
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Redis Cluster: ${what} did not happen within ${ms} ms`);
}

async function ask(port: number, ...command: [string, ...string[]]): Promise<unknown> {
  const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return await redis.call(...command);
  } finally {
    redis.disconnect();
  }
}

export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = await mkdtemp(join(tmpdir(), "llmg-cluster-"));
  const ports: number[] = [];
  const taken = new Set<number>();
  for (let i = 0; i < 3; i++) {
    const port = await clusterPort(taken);
    taken.add(port);
    ports.push(port);
  }
  const processes: ChildProcess[] = ports.map((port) =>
    spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      { stdio: "ignore" },
    ),
  );
  const stop = async () => {
    for (const p of processes) p.kill("SIGKILL");
    await Promise.all(
      processes.map((p) => (p.exitCode !== null ? undefined : new Promise((r) => p.once("exit", r)))),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports)
      await waitFor(async () => (await ask(port, "PING")) === "PONG", `node ${port} up`);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((p) => `127.0.0.1:${p}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const port of ports) {
      await waitFor(
        async () => String(await ask(port, "CLUSTER", "INFO")).includes("cluster_state:ok"),
        `cluster state ok on ${port}`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((p) => `127.0.0.1:${p}`).join(","), ports, stop };
}

/** Every key of the cluster that starts with `prefix`, from each master. */
export async function clusterKeys(cluster: LocalCluster, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (const port of cluster.ports) keys.push(...((await ask(port, "KEYS", `${prefix}*`)) as string[]));
  return keys;
}

/** The slot Redis Cluster files a key under. */
export async function keySlot(cluster: LocalCluster, key: string): Promise<number> {
  return Number(await ask(cluster.ports[0]!, "CLUSTER", "KEYSLOT", key));
}
