import { ProviderError, TOOL_FAILURE_REASONS } from "@llmg/core";

/** What a finished call says about the credential it used. */
export type CredentialOutcome = "success" | "failure" | "neutral";

/** Statuses that mean the key (or the provider behind it) cannot serve calls right now. */
const UNWELL_STATUSES = new Set([
  401, // the key is invalid or revoked
  402, // no balance left (DeepSeek's "Insufficient Balance")
  403, // the key may not use the API (disabled project, region)
  408,
  // A 429 that reaches here outlived llmg's own retries (or asked for a longer wait than they
  // allow): the key has no quota left for now, rate or billing (OpenAI's insufficient_quota).
  429,
]);

function providerErrorOf(error: unknown): ProviderError | undefined {
  if (error instanceof ProviderError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof ProviderError ? cause : undefined;
}

/**
 * Whether a failed call counts against its credential's circuit. Only the provider's own
 * failures do: timeouts, 5xx and 529 (overloaded), and the statuses above. The caller's bad
 * request (400, 404, 413, 422), our own refusals (budget, rate limit, egress), a client that
 * left and a shutdown say nothing about the key and count as neither failure nor success.
 */
export function outcomeOf(error: unknown): Exclude<CredentialOutcome, "success"> {
  const failure = providerErrorOf(error);
  if (!failure) return "neutral";
  if (failure.code === "provider_timeout") return "failure";
  if (failure.code === "egress_denied") return "neutral";
  if (UNWELL_STATUSES.has(failure.status)) return "failure";
  if (failure.status >= 500) {
    // Gemini's billed answers ending in a bad tool call: the model's doing, the key is fine.
    return failure.providerCode && TOOL_FAILURE_REASONS.has(failure.providerCode) ? "neutral" : "failure";
  }
  return "neutral";
}
