import { createHash, randomBytes } from "node:crypto";
import { createUser, type Database, insertApiKey } from "@llmg/db";
import { type Kysely, sql } from "kysely";

export const DAY_MS = 86_400_000;

/** Models the rows are spread over, with per-token prices in nano-USD (as the generator's). */
const MODELS = sql`(values
  (0, 'openai', 'gpt-4o-mini', 150, 600),
  (1, 'openai', 'gpt-4o', 2500, 10000),
  (2, 'anthropic', 'claude-sonnet-4-5', 3000, 15000),
  (3, 'anthropic', 'claude-haiku-4-5', 1000, 5000),
  (4, 'google', 'gemini-2.5-flash', 300, 2500),
  (5, 'deepseek', 'deepseek-chat', 270, 1100),
  (6, 'mistral', 'mistral-small-latest', 100, 300)) as m(i, provider, model, pin, pout)`;

export interface SeedTarget {
  userId: string;
  keyId: string;
}

/** One user and an API key for it, made the way the gateway makes them (hash only stored). */
export async function createBenchUser(db: Kysely<Database>): Promise<SeedTarget & { key: string }> {
  const user = await createUser(db, { email: `bench-${randomBytes(4).toString("hex")}@example.com` });
  const key = `llmg_${randomBytes(32).toString("base64url").replace(/[-_]/g, "x").slice(0, 43)}`;
  const row = await insertApiKey(db, {
    userId: user.id,
    name: "bench",
    prefix: key.slice(0, 11),
    keyHash: createHash("sha256").update(key).digest("hex"),
  });
  return { userId: user.id, keyId: row.id, key };
}

/**
 * Inserts rows numbered [lo, hi] of `total`, spread evenly over [start, start + spanMs) in
 * insertion order (as a gateway writes them): skewed latencies, 3 % failures, 30 % streams,
 * exact numeric costs. generate_series inside PostgreSQL: no row crosses the wire.
 */
export async function insertRange(
  db: Kysely<Database>,
  target: SeedTarget,
  range: { lo: number; hi: number; total: number; start: Date; spanMs: number; idPrefix: string },
): Promise<void> {
  const perRowSeconds = range.spanMs / 1000 / range.total;
  await sql`
    insert into requests (id, user_id, api_key_id, provider, model, endpoint, stream, status, http_status,
      error_code, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, prompt_cost,
      completion_cost, total_cost, latency_ms, ttft_ms, ip, user_agent, created_at)
    select ${range.idPrefix} || lpad(s.g::text, 9, '0'), ${target.userId}, ${target.keyId}, m.provider, m.model,
      'api', s.stream, case when s.err then 'error' else 'success' end, case when s.err then 502 else 200 end,
      case when s.err then 'provider_error' end, s.prompt, s.completion, s.prompt / 3, s.completion / 5,
      s.prompt * m.pin * 0.000000001, s.completion * m.pout * 0.000000001,
      (s.prompt * m.pin + s.completion * m.pout) * 0.000000001,
      s.latency, case when s.stream and not s.err then least(s.latency, 20 + s.g % 800) end,
      '10.0.0.1', 'bench-analytics',
      ${range.start}::timestamptz + (s.g * ${perRowSeconds}::float8) * interval '1 second'
    from (
      select g, r1 < 0.03 as err, r2 < 0.3 as stream,
        case when r1 < 0.03 then 0 else 10 + (r3 * r3 * 8000)::int end as prompt,
        case when r1 < 0.03 then 0 else 1 + (r4 * r4 * 2000)::int end as completion,
        (40 + r5 * r6 * 30000)::int as latency
      from (select g, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6
            from generate_series(${range.lo}::int, ${range.hi}::int) g) raw
    ) s
    join ${MODELS} on m.i = s.g % 7`.execute(db);
}

/** Definitions of the secondary indexes on requests, to drop before a bulk load and rebuild after. */
export async function secondaryIndexes(db: Kysely<Database>): Promise<{ name: string; def: string }[]> {
  const { rows } = await sql<{ name: string; def: string }>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.tablename = 'requests' and i.schemaname = current_schema()
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(db);
  return rows;
}
