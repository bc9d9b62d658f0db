import { Pool } from "undici";
import { percentile, round } from "../lib/stats";

export interface Timing {
  name: string;
  path: string;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  samples: number;
}

const WARMUP = 5;

/**
 * Sequential GETs over one keep-alive connection, timed until the whole body is read. Any
 * non-200 answer fails the bench: a fast error is not a measurement.
 */
export async function timeEndpoint(
  origin: string,
  key: string,
  name: string,
  path: string,
  samples: number,
): Promise<Timing> {
  const pool = new Pool(origin, { connections: 1, keepAliveTimeout: 60_000 });
  const times: number[] = [];
  try {
    for (let i = 0; i < WARMUP + samples; i++) {
      const started = process.hrtime.bigint();
      const res = await pool.request({ method: "GET", path, headers: { authorization: `Bearer ${key}` } });
      const body = await res.body.text();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${body.slice(0, 300)}`);
      if (i >= WARMUP) times.push(ms);
    }
  } finally {
    await pool.close();
  }
  return {
    name,
    path,
    p50_ms: round(percentile(times, 50), 1),
    p95_ms: round(percentile(times, 95), 1),
    max_ms: round(Math.max(...times), 1),
    samples,
  };
}
