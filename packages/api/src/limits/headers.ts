import type { BucketState } from "./gcra";

/** OpenAI's duration spelling for x-ratelimit-reset-*: "20ms", "1s", "1.5s", "6m0s". */
export function formatReset(ms: number): string {
  const rounded = Math.ceil(ms);
  if (rounded < 1000) return `${rounded}ms`;
  const totalSeconds = rounded / 1000;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = Math.round((totalSeconds - minutes * 60) * 1000) / 1000;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** The bucket that binds: the one with the least left (a user bucket or a tighter key bucket). */
function binding(states: (BucketState | null)[]): BucketState | undefined {
  let best: BucketState | undefined;
  for (const s of states) {
    if (s && (!best || s.remaining < best.remaining)) best = s;
  }
  return best;
}

/**
 * x-ratelimit-* headers as OpenAI sends them. With no limit configured for a dimension its
 * headers are omitted rather than showing a made-up ceiling.
 */
export function rateLimitHeaders(
  requests: (BucketState | null)[],
  tokens: (BucketState | null)[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, states] of [
    ["requests", requests],
    ["tokens", tokens],
  ] as const) {
    const state = binding(states);
    if (!state) continue;
    headers[`x-ratelimit-limit-${name}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${name}`] = String(state.remaining);
    headers[`x-ratelimit-reset-${name}`] = formatReset(state.resetMs);
  }
  return headers;
}
