import { rollupLag, type Services } from "@llmg/api";
import express, { type Router } from "express";
import { sql } from "kysely";

async function check(name: string, probe: () => Promise<unknown>, timeoutMs = 2000) {
  const started = Date.now();
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), timeoutMs).unref()),
    ]);
    return { name, ok: true, latency_ms: Date.now() - started };
  } catch (error) {
    return { name, ok: false, latency_ms: Date.now() - started, error: (error as Error).message };
  }
}

export function healthRouter(services: Services): Router {
  const router = express.Router();
  // Liveness: the process answers. Never touches a dependency, so a database outage does not
  // get the process restarted in a loop.
  router.get("/healthz", (_req, res) => {
    res.json({ success: true, data: { status: "ok", uptime_s: Math.round(process.uptime()) } });
  });
  // Readiness: the dependencies this replica needs answer. Anyone (a load balancer) sees which
  // failed; latencies, error texts and worker lag describe the deployment's insides, so only
  // the admin key sees them.
  router.get("/readyz", async (req, res) => {
    const checks = [await check(`database (${services.dbKind})`, () => sql`select 1`.execute(services.db))];
    const redis = services.redis;
    if (redis) checks.push(await check("redis", () => redis.ping()));
    const ready = checks.every((c) => c.ok);
    const status = ready ? "ready" : "not_ready";
    if (!services.auth.isAdmin(req.get("authorization"))) {
      const names = checks.map(({ name, ok }) => ({ name, ok }));
      res.status(ready ? 200 : 503).json({ success: ready, data: { status, checks: names } });
      return;
    }
    // Production mode runs rollups on BullMQ workers: report their lag, without failing readiness for it.
    const worker = redis ? { worker: await rollupLag(services.db).catch(() => null) } : {};
    res.status(ready ? 200 : 503).json({ success: ready, data: { status, checks, ...worker } });
  });
  return router;
}
