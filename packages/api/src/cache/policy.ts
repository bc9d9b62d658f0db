import { z } from "zod";
import { ApiError } from "../errors";

/** The request header that turns the response cache on for one call, or keeps it off. */
export const CACHE_HEADER = "x-llmg-cache";

/** Bounds of a cache entry's lifetime, in seconds: a second to 30 days. */
export const MIN_CACHE_TTL_S = 1;
export const MAX_CACHE_TTL_S = 2_592_000;
// Longer than any value we accept ("ttl=2592000", "no-store"): a huge header costs nothing.
const MAX_HEADER_LENGTH = 64;

/**
 * What a call asks of the response cache. `store`: read a fresh answer if one is cached, else
 * call the provider and cache its answer for `ttlSeconds`. `no-store`: neither read nor write
 * (for a route that caches by default). A named route sets `cacheAll` to cache answers that end
 * for another reason than `stop` or carry tool calls, which a plain call never caches.
 */
export type CacheDirective = { kind: "store"; ttlSeconds: number; cacheAll?: boolean } | { kind: "no-store" };

/** `cache` in a chat body: the same as `x-llmg-cache: ttl=N`. */
export const cacheBodySchema = z
  .object({
    ttl: z
      .number()
      .int()
      .min(MIN_CACHE_TTL_S)
      .max(MAX_CACHE_TTL_S)
      .meta({ description: "Seconds the answer stays cached (1 to 2592000)", example: 3600 }),
  })
  .strict()
  .meta({
    description:
      "Opt in to the exact-match response cache for this call (same as the header `x-llmg-cache: ttl=N`); `x-llmg-cache: no-store` overrides it",
  });

export type CacheBody = z.output<typeof cacheBodySchema>;

function refuse(message: string): never {
  throw new ApiError("validation_error", `Invalid ${CACHE_HEADER}: ${message}`, {
    details: [{ field: CACHE_HEADER, message }],
  });
}

const HEADER_RULE = `must be "ttl=<seconds>" (${MIN_CACHE_TTL_S} to ${MAX_CACHE_TTL_S}) or "no-store"`;

function parseHeader(raw: string): CacheDirective {
  if (raw.length > MAX_HEADER_LENGTH) refuse(HEADER_RULE);
  const value = raw.trim().toLowerCase();
  if (value === "no-store") return { kind: "no-store" };
  const match = /^ttl\s*=\s*(\d{1,10})$/.exec(value);
  if (!match) refuse(HEADER_RULE);
  const ttl = Number(match[1]);
  if (ttl < MIN_CACHE_TTL_S || ttl > MAX_CACHE_TTL_S) refuse(HEADER_RULE);
  return { kind: "store", ttlSeconds: ttl };
}

/**
 * The call's cache directive from its header and body, or undefined when neither asks for the
 * cache (the plain call: nothing else happens). The header wins over the body, so a client can
 * switch a body's `cache` off with `no-store` without rewriting the body.
 */
export function cacheDirectiveFrom(
  header: string | undefined,
  body: CacheBody | undefined,
): CacheDirective | undefined {
  if (header !== undefined && header.trim() !== "") return parseHeader(header);
  return body ? { kind: "store", ttlSeconds: body.ttl } : undefined;
}
