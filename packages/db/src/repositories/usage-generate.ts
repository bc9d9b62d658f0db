import type { Kysely } from "kysely";
import type { Database, NewRequestRow } from "../types";
import { insertRequests } from "./requests";

/** Provider/model pairs generated usage is spread over, with per-token prices in nano-USD ($/1M × 1000). */
export const GENERATED_MODELS = [
  { provider: "openai", model: "gpt-4o-mini", input: 150n, output: 600n },
  { provider: "openai", model: "gpt-4o", input: 2500n, output: 10000n },
  { provider: "anthropic", model: "claude-sonnet-4-5", input: 3000n, output: 15000n },
  { provider: "anthropic", model: "claude-haiku-4-5", input: 1000n, output: 5000n },
  { provider: "google", model: "gemini-2.5-flash", input: 300n, output: 2500n },
  { provider: "deepseek", model: "deepseek-chat", input: 270n, output: 1100n },
  { provider: "mistral", model: "mistral-small-latest", input: 100n, output: 300n },
] as const;

export interface GenerateOptions {
  userId: string;
  count: number;
  /** Rows are spread evenly over [from, to), in random order. */
  from: Date;
  to: Date;
  seed?: number;
  apiKeyIds?: string[];
  /** Fraction of failed calls (0..1). */
  errorRate?: number;
  idPrefix?: string;
  /**
   * Every Nth successful row is a response cache hit: cost 0, its would-be cost in saved_usd.
   * Decided by position, not by the random stream, so the other columns stay as they were.
   */
  cacheHitEvery?: number;
}

/** mulberry32: small, fast and deterministic, so a failing test replays the very same rows. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n nano-USD as an exact decimal string. */
function nanoUsd(n: bigint): string {
  const digits = n.toString().padStart(10, "0");
  const text = `${digits.slice(0, -9)}.${digits.slice(-9)}`.replace(/0+$/, "").replace(/\.$/, "");
  return text === "0" ? "0" : text;
}

/**
 * Plausible request rows for tests and benchmarks: skewed latencies (most calls fast, a long
 * tail), some streams with a time to first token, a share of failures with no cost, and exact
 * decimal costs that sum like real prices do.
 */
export function generateRequestRows(options: GenerateOptions): NewRequestRow[] {
  const random = prng(options.seed ?? 1);
  const span = options.to.getTime() - options.from.getTime();
  const errorRate = options.errorRate ?? 0.05;
  const rows: NewRequestRow[] = [];
  for (let i = 0; i < options.count; i++) {
    const pick = GENERATED_MODELS[Math.floor(random() * GENERATED_MODELS.length)] ?? GENERATED_MODELS[0];
    const failed = random() < errorRate;
    const stream = random() < 0.3;
    const prompt = failed ? 0 : 10 + Math.floor(random() * random() * 8000);
    const completion = failed ? 0 : 1 + Math.floor(random() * random() * 2000);
    const cached = failed ? 0 : Math.floor(prompt * random() * 0.5);
    const reasoning = failed ? 0 : Math.floor(completion * random() * 0.3);
    const promptCost = BigInt(prompt) * pick.input;
    const completionCost = BigInt(completion) * pick.output;
    // Squared uniform: a long tail of slow calls over a body of fast ones, like real traffic.
    const latency = Math.round(40 + random() * random() * 30_000);
    const at = new Date(options.from.getTime() + Math.floor(random() * span));
    const hit = !failed && options.cacheHitEvery !== undefined && i % options.cacheHitEvery === 0;
    rows.push({
      id: `${options.idPrefix ?? "req_gen"}_${options.seed ?? 1}_${i}`,
      user_id: options.userId,
      api_key_id: options.apiKeyIds?.[i % options.apiKeyIds.length] ?? null,
      credential_id: null,
      provider: pick.provider,
      model: pick.model,
      endpoint: random() < 0.5 ? "api" : "v1",
      stream,
      status: failed ? "error" : "success",
      http_status: failed ? (random() < 0.5 ? 429 : 502) : 200,
      error_code: failed ? "provider_error" : null,
      error_message: failed ? "upstream failed" : null,
      prompt_tokens: prompt,
      completion_tokens: completion,
      cached_tokens: cached,
      cache_write_tokens: 0,
      reasoning_tokens: reasoning,
      prompt_cost: hit ? "0" : nanoUsd(promptCost),
      completion_cost: hit ? "0" : nanoUsd(completionCost),
      total_cost: hit ? "0" : nanoUsd(promptCost + completionCost),
      cache_hit: hit,
      saved_usd: hit ? nanoUsd(promptCost + completionCost) : null,
      latency_ms: latency,
      ttft_ms: stream && !failed ? Math.min(latency, 20 + Math.floor(random() * 800)) : null,
      ip: "127.0.0.1",
      user_agent: "llmg-generator",
      metadata: null,
      created_at: at,
    });
  }
  return rows;
}

/** Generates and inserts rows in batches; returns them for the test's own arithmetic. */
export async function insertGeneratedRequests(
  db: Kysely<Database>,
  options: GenerateOptions,
): Promise<NewRequestRow[]> {
  const rows = generateRequestRows(options);
  for (let i = 0; i < rows.length; i += 500) await insertRequests(db, rows.slice(i, i + 500));
  return rows;
}
