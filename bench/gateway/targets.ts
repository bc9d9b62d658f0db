import { Pool } from "undici";

export interface Target {
  name: "direct" | "llmg" | "llmg-fast" | "llmg-levels" | "llmg-cache" | "llmg-route" | "portkey";
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** The model field each target expects for the same upstream model. */
  model: string;
}

export function chatBody(target: Target, prompt: string, stream = false): string {
  return JSON.stringify({
    model: target.model,
    messages: [{ role: "user", content: prompt }],
    max_tokens: 16,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

/** One keep-alive connection per target for sequential runs, so no run pays for connection setup. */
export function poolFor(target: Target): Pool {
  return new Pool(target.origin, { connections: 1, pipelining: 1, keepAliveTimeout: 60_000 });
}

export interface Timed {
  ms: number;
  status: number;
}

function post(pool: Pool, target: Target, body: string) {
  return pool.request({
    method: "POST",
    path: target.path,
    headers: { "content-type": "application/json", ...target.headers },
    body,
  });
}

/** One request; the time runs until the whole body has been read. */
export async function timedRequest(pool: Pool, target: Target, body: string): Promise<Timed> {
  const started = process.hrtime.bigint();
  const res = await post(pool, target, body);
  await res.body.arrayBuffer();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: res.statusCode };
}

/** A streamed request; the time runs until the first body byte arrives. */
export async function timedFirstByte(pool: Pool, target: Target, body: string): Promise<Timed> {
  const started = process.hrtime.bigint();
  const res = await post(pool, target, body);
  let ms = 0;
  for await (const _chunk of res.body) {
    if (ms === 0) ms = Number(process.hrtime.bigint() - started) / 1e6;
  }
  return { ms, status: res.statusCode };
}
